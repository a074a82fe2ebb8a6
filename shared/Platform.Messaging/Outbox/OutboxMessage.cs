namespace Platform.Messaging;

public sealed record OutboxMessage(long Sequence, Guid MessageId, string MessageType, string Body, DateTimeOffset CreatedAt, int Attempts);
