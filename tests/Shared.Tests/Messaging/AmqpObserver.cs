using System.Text.Json;
using RabbitMQ.Client;

namespace Shared.Tests.Messaging;

/// <summary>
/// A plain AMQP client, as a non-.NET service would use one: its own durable queue bound to an exchange by name,
/// read with basic.get.
/// </summary>
public sealed class AmqpObserver : IAsyncDisposable
{
    private readonly IConnection _connection;

    private AmqpObserver(IConnection connection, IChannel channel, string queue)
    {
        _connection = connection;
        Channel = channel;
        Queue = queue;
    }

    public IChannel Channel { get; }
    public string Queue { get; }

    public static async Task<IConnection> ConnectAsync(Uri amqpUri) =>
        await new ConnectionFactory { Uri = amqpUri, ClientProvidedName = "shared-tests-observer" }
            .CreateConnectionAsync(TestContext.Current.CancellationToken);

    /// <summary>Connects, and declares and binds <paramref name="queue"/> to <paramref name="exchange"/> when <paramref name="declare"/>.</summary>
    public static async Task<AmqpObserver> StartAsync(Uri amqpUri, string exchange, string queue, bool declare = true)
    {
        var ct = TestContext.Current.CancellationToken;
        var connection = await ConnectAsync(amqpUri);
        var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        if (declare)
        {
            // The same declaration MassTransit makes for a published message type (durable fanout).
            await channel.ExchangeDeclareAsync(exchange, ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.QueueBindAsync(queue, exchange, routingKey: "", cancellationToken: ct);
        }
        return new AmqpObserver(connection, channel, queue);
    }

    public async Task<uint> CountAsync() =>
        (await Channel.QueueDeclarePassiveAsync(Queue, TestContext.Current.CancellationToken)).MessageCount;

    /// <summary>Takes the next <paramref name="count"/> messages off the queue (fails if there are fewer).</summary>
    public async Task<List<RawMessage>> TakeAsync(int count)
    {
        var messages = new List<RawMessage>();
        for (var i = 0; i < count; i++)
        {
            var result = await Channel.BasicGetAsync(Queue, autoAck: true, TestContext.Current.CancellationToken);
            Assert.True(result is not null, $"queue {Queue} held only {i} of {count} messages");
            messages.Add(new RawMessage(result.BasicProperties.MessageId, result.BasicProperties.ContentType, result.Body.ToArray(),
                result.BasicProperties.Headers?.ToDictionary() ?? []));
        }
        return messages;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await Channel.DisposeAsync();
            await _connection.DisposeAsync();
        }
        catch (Exception ex) when (ex is RabbitMQ.Client.Exceptions.AlreadyClosedException or ObjectDisposedException)
        {
        }
    }
}

/// <summary>A message as it lies in the queue: AMQP message id property, content type, raw body and headers.</summary>
public sealed record RawMessage(string? MessageId, string? ContentType, byte[] Body, IReadOnlyDictionary<string, object?> Headers)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;

    /// <summary>The event: the whole body for plain JSON (how Platform publishes), the <c>message</c> member of MassTransit's envelope otherwise.</summary>
    public JsonElement Message => ContentType == "application/vnd.masstransit+json" ? Json.GetProperty("message") : Json;

    /// <summary>A header as text (AMQP carries strings as bytes).</summary>
    public string? Header(string name) => Headers.TryGetValue(name, out var value)
        ? value is byte[] bytes ? System.Text.Encoding.UTF8.GetString(bytes) : value?.ToString()
        : null;
}
