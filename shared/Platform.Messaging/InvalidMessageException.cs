namespace Platform.Messaging;

/// <summary>
/// A message that can never succeed (it fails validation). It is not retried: it goes straight to the consumer's
/// <c>_error</c> queue, where MassTransit records this exception's message as the fault reason.
/// </summary>
public sealed class InvalidMessageException(string message) : Exception(message);
