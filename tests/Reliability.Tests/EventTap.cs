using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;

namespace Reliability.Tests;

/// <summary>One event seen on an exchange: its message id (the same for every copy of one logical message), its listing, when.</summary>
public sealed record TappedEvent(string MessageId, Guid ListingId, string? ModelVersion, TimeSpan At);

/// <summary>
/// A downstream consumer of Platform's events, as any AMQP client would be: its own durable quorum queue per exchange,
/// acknowledged after each event is recorded, reconnecting through broker restarts. It sees every copy the broker
/// delivers, so the ledger can tell one logical message (one message id) from a second effect (a new message id).
/// </summary>
public sealed class EventTap : IAsyncDisposable
{
    private readonly IConnection connection;
    private readonly ConcurrentDictionary<string, ConcurrentQueue<TappedEvent>> events = new(StringComparer.Ordinal);
    private readonly List<IChannel> channels = [];
    private readonly Stopwatch clock;

    private EventTap(IConnection connection, Stopwatch clock)
    {
        this.connection = connection;
        this.clock = clock;
    }

    public static async Task<IConnection> ConnectAsync(Uri amqpUri, string name, CancellationToken ct) =>
        await new ConnectionFactory
        {
            Uri = amqpUri,
            ClientProvidedName = name,
            AutomaticRecoveryEnabled = true,
            TopologyRecoveryEnabled = true,
            NetworkRecoveryInterval = TimeSpan.FromSeconds(1),
        }.CreateConnectionAsync(ct);

    public static async Task<EventTap> StartAsync(Uri amqpUri, Stopwatch clock, IReadOnlyList<string> exchanges, CancellationToken ct)
    {
        var tap = new EventTap(await ConnectAsync(amqpUri, "reliability-tap", ct), clock);
        foreach (var exchange in exchanges)
        {
            var queue = $"reliability-tap-{exchange}";
            var seen = tap.events.GetOrAdd(exchange, _ => new ConcurrentQueue<TappedEvent>());
            var channel = await tap.connection.CreateChannelAsync(cancellationToken: ct);
            tap.channels.Add(channel);
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false,
                new Dictionary<string, object?> { ["x-queue-type"] = "quorum" }, cancellationToken: ct);
            await channel.QueueBindAsync(queue, exchange, "", cancellationToken: ct);
            await channel.BasicQosAsync(0, 500, false, ct);
            var consumer = new AsyncEventingBasicConsumer(channel);
            consumer.ReceivedAsync += async (_, delivery) =>
            {
                seen.Enqueue(Read(delivery, tap.clock.Elapsed));
                await channel.BasicAckAsync(delivery.DeliveryTag, false);
            };
            await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);
        }

        return tap;
    }

    public IReadOnlyCollection<TappedEvent> Events(string exchange) => events.TryGetValue(exchange, out var seen) ? seen : [];

    /// <summary>Ready messages in each queue (passive declare); null where the broker did not answer.</summary>
    public async Task<Dictionary<string, int?>> DepthsAsync(IReadOnlyList<string> queues, CancellationToken ct)
    {
        var depths = new Dictionary<string, int?>(StringComparer.Ordinal);
        IChannel? channel = null;
        try
        {
            foreach (var queue in queues)
            {
                try
                {
                    channel ??= await connection.CreateChannelAsync(cancellationToken: ct);
                    depths[queue] = (int)(await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
                }
                catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.OperationInterruptedException or RabbitMQ.Client.Exceptions.AlreadyClosedException
                    or TimeoutException or IOException)
                {
                    depths[queue] = null;
                    channel = null;
                }
            }
        }
        finally
        {
            if (channel is not null)
                await channel.DisposeAsync();
        }

        return depths;
    }

    private static TappedEvent Read(BasicDeliverEventArgs delivery, TimeSpan at)
    {
        using var document = JsonDocument.Parse(delivery.Body);
        var body = document.RootElement;
        if (body.TryGetProperty("message", out var inner) && inner.ValueKind == JsonValueKind.Object)
            body = inner; // MassTransit's envelope
        var listingId = body.TryGetProperty("listingId", out var id) && id.TryGetGuid(out var guid) ? guid : Guid.Empty;
        var model = body.TryGetProperty("modelVersion", out var version) ? version.GetString() : null;
        return new TappedEvent(delivery.BasicProperties.MessageId ?? "", listingId, model, at);
    }

    public async ValueTask DisposeAsync()
    {
        foreach (var channel in channels)
        {
            try
            {
                await channel.DisposeAsync();
            }
            catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException)
            {
            }
        }

        await connection.DisposeAsync();
    }
}
