using System.Text;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Platform.Cli.Commands;

/// <summary>A message peeked from an error queue, with MassTransit's fault headers decoded.</summary>
public sealed record ErrorMessage(
    string? MessageId, string? MessageType, string? Reason, string? ExceptionType, string? FaultMessage, string? FaultTimestamp,
    string? ContentType, bool Redelivered, ReadOnlyMemory<byte> Body);

/// <summary>
/// The error queues of Platform's endpoints on RabbitMQ (<c>&lt;endpoint&gt;_error</c>): counts, peeking without
/// consuming, and replaying to the endpoint's own queue with publisher confirms, acknowledging only what the broker has.
/// </summary>
public sealed class ErrorQueues : IAsyncDisposable
{
    /// <summary>The receive endpoints of the four services (docs/events.md); their error queues are <c>&lt;name&gt;_error</c>.</summary>
    public static readonly IReadOnlyList<string> KnownEndpoints =
    [
        "submit-listing",      // ingestion
        "embed-listing",       // embedding
        "embed-interests",     // embedding
        "score-listing",       // scoring
        "store-interests",     // scoring
        "feedback",            // scoring
        "notify-subscribers",  // notification
        "catalogue-listing",   // notification
    ];

    public const string ErrorSuffix = "_error";

    private readonly IConnection _connection;

    private ErrorQueues(IConnection connection) => _connection = connection;

    public static async Task<ErrorQueues> ConnectAsync(Settings settings, CancellationToken ct)
    {
        var factory = new ConnectionFactory
        {
            Uri = settings.Amqp,
            ClientProvidedName = "platform-cli",
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
        };
        try
        {
            return new ErrorQueues(await factory.CreateConnectionAsync(ct));
        }
        catch (BrokerUnreachableException ex)
        {
            var where = $"{settings.Amqp.Host}:{(settings.Amqp.Port > 0 ? settings.Amqp.Port : 5672)}{settings.Amqp.AbsolutePath}";
            throw new CliException(
                $"Cannot connect to RabbitMQ at {where}.",
                (ex.InnerException?.Message ?? ex.Message) + ". " +
                (settings.AmqpGiven ? "" : "No --amqp or PLATFORM_AMQP_URL was given, so the default was tried. ") +
                "If Platform runs as the embedded all-in-one host (dotnet run --project services/AllInOne), its bus is in memory: " +
                "error queues live inside that process and are not reachable from outside (faulted messages are in its log). " +
                "With the services on RabbitMQ, pass --amqp amqp://user:pass@host:5672/vhost.", inner: ex);
        }
    }

    public static string ErrorQueueName(string queue) => queue.EndsWith(ErrorSuffix, StringComparison.Ordinal) ? queue : queue + ErrorSuffix;

    public static string TargetQueueName(string errorQueue) => errorQueue[..^ErrorSuffix.Length];

    /// <summary>Message and consumer count of a queue, or null when it does not exist (a passive declare; its failure closes only a throw-away channel).</summary>
    public async Task<QueueDeclareOk?> InspectAsync(string queue, CancellationToken ct)
    {
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            return await channel.QueueDeclarePassiveAsync(queue, ct);
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return null;
        }
    }

    /// <summary>
    /// The first <paramref name="count"/> messages of <paramref name="queue"/>, read without acknowledging and then all
    /// rejected with requeue in one go, so they stay in the queue in their order.
    /// </summary>
    public async Task<IReadOnlyList<ErrorMessage>> PeekAsync(string queue, int count, CancellationToken ct)
    {
        await using var channel = await _connection.CreateChannelAsync(cancellationToken: ct);
        var messages = new List<ErrorMessage>();
        ulong last = 0;
        try
        {
            while (messages.Count < count && await channel.BasicGetAsync(queue, autoAck: false, ct) is { } result)
            {
                last = result.DeliveryTag;
                messages.Add(Describe(result));
            }
        }
        finally
        {
            if (last > 0 && channel.IsOpen)
                await channel.BasicNackAsync(last, multiple: true, requeue: true, CancellationToken.None);
            // Closing the channel requeues anything still unacknowledged as well.
            await channel.CloseAsync(CancellationToken.None);
        }
        return messages;
    }

    /// <summary>
    /// Moves messages from <paramref name="errorQueue"/> back to <paramref name="targetQueue"/> (the default exchange, routing
    /// key = queue name, mandatory): body, content type, message id and headers are kept, MassTransit's fault headers
    /// (<c>MT-Fault-*</c>, <c>MT-Reason</c>) dropped. Each message is acknowledged on the error queue only after the broker
    /// confirmed the publish; a refused publish requeues it. With <paramref name="messageId"/> only that message moves and
    /// the others are put back in order; without it, up to <paramref name="max"/> messages move (those in the queue at the
    /// start at most, so messages that fault again are not replayed in a loop).
    /// </summary>
    public async Task<IReadOnlyList<ErrorMessage>> ReplayAsync(string errorQueue, string targetQueue, string? messageId, int? max, CancellationToken ct)
    {
        var source = await InspectAsync(errorQueue, ct) ?? throw new CliException($"Queue {errorQueue} does not exist.");
        if (await InspectAsync(targetQueue, ct) is null)
            throw new CliException($"Queue {targetQueue} does not exist.", $"Nothing was moved: replaying {errorQueue} needs the endpoint's queue {targetQueue} to exist (start the service once).");

        var budget = (int)Math.Min(source.MessageCount, (uint)(max ?? int.MaxValue));
        var moved = new List<ErrorMessage>();
        await using var channel = await _connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        ulong lastHeld = 0;
        var scanned = 0;
        try
        {
            // The scan ignores the caller's token between messages only at points where nothing is in flight.
            while (scanned < (messageId is null ? budget : (int)source.MessageCount) && !ct.IsCancellationRequested)
            {
                var result = await channel.BasicGetAsync(errorQueue, autoAck: false, CancellationToken.None);
                if (result is null)
                    break;
                scanned++;
                var message = Describe(result);
                if (messageId is not null && !string.Equals(message.MessageId, messageId, StringComparison.OrdinalIgnoreCase))
                {
                    lastHeld = result.DeliveryTag; // put back (in order) at the end
                    continue;
                }

                try
                {
                    await channel.BasicPublishAsync("", targetQueue, mandatory: true, CopyProperties(result.BasicProperties), result.Body, CancellationToken.None);
                }
                catch (Exception ex) when (ex is PublishException or OperationInterruptedException or AlreadyClosedException)
                {
                    if (channel.IsOpen)
                        await channel.BasicNackAsync(result.DeliveryTag, multiple: false, requeue: true, CancellationToken.None);
                    throw new CliException($"The broker did not confirm the publish of message {message.MessageId} to {targetQueue}.",
                        $"{ex.Message} The message stays in {errorQueue}; {moved.Count} message(s) were moved before.", inner: ex);
                }
                await channel.BasicAckAsync(result.DeliveryTag, multiple: false, CancellationToken.None);
                moved.Add(message);
                if (messageId is not null)
                    break;
            }
        }
        finally
        {
            if (lastHeld > 0 && channel.IsOpen)
                await channel.BasicNackAsync(lastHeld, multiple: true, requeue: true, CancellationToken.None);
            if (channel.IsOpen)
                await channel.CloseAsync(CancellationToken.None);
        }
        return moved;
    }

    private static BasicProperties CopyProperties(IReadOnlyBasicProperties from)
    {
        var to = new BasicProperties
        {
            ContentType = from.ContentType,
            ContentEncoding = from.ContentEncoding,
            MessageId = from.MessageId,
            CorrelationId = from.CorrelationId,
            Type = from.Type,
            AppId = from.AppId,
            ReplyTo = from.ReplyTo,
            DeliveryMode = DeliveryModes.Persistent,
        };
        if (from.IsTimestampPresent())
            to.Timestamp = from.Timestamp;
        if (from.IsPriorityPresent())
            to.Priority = from.Priority;
        if (from.Headers is { } headers)
        {
            to.Headers = headers
                .Where(h => !IsFaultHeader(h.Key))
                .ToDictionary(h => h.Key, h => h.Value);
        }
        return to;
    }

    public static bool IsFaultHeader(string name) =>
        name.StartsWith("MT-Fault-", StringComparison.OrdinalIgnoreCase) || name.Equals("MT-Reason", StringComparison.OrdinalIgnoreCase);

    /// <summary>
    /// A message the broker itself dead-lettered (a quorum queue's delivery limit: its consumer's process died every time)
    /// has no MassTransit fault headers, only the broker's <c>x-death</c> record.
    /// </summary>
    private static string? BrokerDeathReason(IDictionary<string, object?> headers) =>
        headers.TryGetValue("x-death", out var deaths) && deaths is IList<object> list && list.Count > 0
        && list[0] is IDictionary<string, object> death && death.TryGetValue("reason", out var reason)
            ? $"dead-lettered by the broker: {Text(reason)}" + (death.TryGetValue("queue", out var queue) ? $" in {Text(queue)}" : "")
            : null;

    private static ErrorMessage Describe(BasicGetResult result)
    {
        var p = result.BasicProperties;
        var headers = p.Headers ?? new Dictionary<string, object?>();
        string? Header(string name) => headers.TryGetValue(name, out var value) ? Text(value) : null;
        return new ErrorMessage(
            p.MessageId ?? Header("MessageId"),
            Header("MT-Fault-MessageType") is { } faulted ? faulted + (Header("MT-MessageType") is { } mt ? $" ({mt})" : "") : Header("MT-MessageType") ?? p.Type,
            Header("MT-Reason") ?? BrokerDeathReason(headers),
            Header("MT-Fault-ExceptionType"),
            Header("MT-Fault-Message"),
            Header("MT-Fault-Timestamp"),
            p.ContentType,
            result.Redelivered,
            result.Body.ToArray());
    }

    /// <summary>AMQP header values: byte[] for strings, lists for arrays, AmqpTimestamp, numbers.</summary>
    public static string? Text(object? value) => value switch
    {
        null => null,
        byte[] bytes => Encoding.UTF8.GetString(bytes),
        ReadOnlyMemory<byte> memory => Encoding.UTF8.GetString(memory.Span),
        AmqpTimestamp stamp => DateTimeOffset.FromUnixTimeSeconds(stamp.UnixTime).ToString("O"),
        IEnumerable<object?> list when value is not string => string.Join(", ", list.Select(Text)),
        _ => Convert.ToString(value, System.Globalization.CultureInfo.InvariantCulture),
    };

    public async ValueTask DisposeAsync()
    {
        try
        {
            await _connection.CloseAsync();
        }
        catch (Exception ex) when (ex is OperationInterruptedException or AlreadyClosedException or IOException)
        {
        }
        await _connection.DisposeAsync();
    }
}
