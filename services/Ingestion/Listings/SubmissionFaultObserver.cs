using System.Runtime.Serialization;
using System.Text.Json;
using MassTransit;

namespace Platform.Ingestion.Listings;

/// <summary>
/// Turns a submission that could not even be deserialized (not JSON, or JSON that is not a listing: a required field
/// missing, a number where text belongs) into a <see cref="Platform.Contracts.ListingRejected"/>. MassTransit has
/// already moved it to <c>submit-listing_error</c> with the exception in its <c>MT-Fault-*</c> headers; the consumer
/// never saw it, so it cannot publish the rejection itself. Validation failures are the consumer's own.
/// </summary>
public sealed class SubmissionFaultObserver(ListingRejections rejections, ILogger<SubmissionFaultObserver> logger) : IReceiveObserver
{
    public const string EndpointName = "submit-listing";

    public Task PreReceive(ReceiveContext context) => Task.CompletedTask;
    public Task PostReceive(ReceiveContext context) => Task.CompletedTask;
    public Task PostConsume<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType) where T : class => Task.CompletedTask;
    public Task ConsumeFault<T>(ConsumeContext<T> context, TimeSpan duration, string consumerType, Exception exception) where T : class => Task.CompletedTask;

    public async Task ReceiveFault(ReceiveContext context, Exception exception)
    {
        if (!IsSubmissionEndpoint(context.InputAddress) || !IsDeserializationError(exception))
            return;
        var body = context.Body.GetBytes();
        var reason = Reason(body, exception);
        try
        {
            var (source, externalId, url) = ListingRejections.Identify(body);
            await rejections.RejectAsync(source, externalId, url, context.GetMessageId(), [reason], CancellationToken.None);
        }
        catch (Exception ex)
        {
            logger.LogError(ex, "Could not record the rejection of an unreadable submission ({Reason})", reason);
        }
    }

    private static bool IsSubmissionEndpoint(Uri inputAddress) =>
        string.Equals(inputAddress.AbsolutePath.TrimEnd('/').Split('/')[^1], EndpointName, StringComparison.OrdinalIgnoreCase);

    /// <summary>Only failures to read the body are rejections; a consumer or database failure is not.</summary>
    private static bool IsDeserializationError(Exception exception) =>
        Find<JsonException>(exception) is not null || Find<SerializationException>(exception) is not null;

    internal static string Reason(byte[] body, Exception exception)
    {
        try
        {
            using var _ = JsonDocument.Parse(body);
        }
        catch (JsonException syntax)
        {
            return $"Body is not valid JSON: {syntax.Message}";
        }
        var cause = Find<JsonException>(exception) ?? Innermost(exception);
        return $"Body is not a valid listing: {cause.Message}";
    }

    private static T? Find<T>(Exception? exception) where T : Exception
    {
        for (; exception is not null; exception = exception.InnerException)
        {
            if (exception is T match)
                return match;
            if (exception is AggregateException aggregate)
                foreach (var inner in aggregate.InnerExceptions)
                    if (Find<T>(inner) is { } found)
                        return found;
        }
        return null;
    }

    private static Exception Innermost(Exception exception)
    {
        while (exception.InnerException is not null)
            exception = exception.InnerException;
        return exception;
    }
}
