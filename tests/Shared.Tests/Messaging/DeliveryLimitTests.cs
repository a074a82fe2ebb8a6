using MassTransit;
using Platform.Testing;
using RabbitMQ.Client;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

public sealed record CrashingWork(int Number);

public sealed class CrashingWorkConsumer : IConsumer<CrashingWork>
{
    public Task Consume(ConsumeContext<CrashingWork> context) => Task.CompletedTask;
}

/// <summary>
/// Consumer queues are quorum queues with a delivery limit: a message whose delivery keeps ending without an
/// acknowledgement (its consumer's process dies with it) is moved to the endpoint's <c>_error</c> queue by the broker
/// instead of being redelivered forever.
/// </summary>
public sealed class DeliveryLimitTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("delivery-limit");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_message_whose_consumer_dies_every_time_is_dead_lettered_into_the_error_queue_after_the_delivery_limit()
    {
        var vhost = await rabbit.RequireAsync();
        var ct = TestContext.Current.CancellationToken;
        var settings = OutboxRelayRabbitMqTests.RabbitSettings(vhost.AmqpUri);
        settings["Messaging:RabbitMq:DeliveryLimit"] = "2";
        // The service declares its queues, then goes away (the queues are durable and stay).
        await (await BusHost.StartAsync(_temp, x => x.AddConsumer<CrashingWorkConsumer>(), settings, outbox: false)).DisposeAsync();
        var types = await vhost.Broker.RabbitMqCtlAsync(["list_queues", "-p", vhost.Name, "name", "type", "--no-table-headers"], ct);
        Assert.Contains(types.Split('\n'), l => l.StartsWith("crashing-work\t", StringComparison.Ordinal) && l.Contains("quorum", StringComparison.Ordinal));
        Assert.Contains(types.Split('\n'), l => l.StartsWith("crashing-work_error\t", StringComparison.Ordinal));

        await using var connection = await AmqpObserver.ConnectAsync(vhost.AmqpUri);
        var messageId = NewId.NextGuid().ToString();
        await using (var publisher = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct))
            await publisher.BasicPublishAsync("crashing-work", "", true, new BasicProperties { MessageId = messageId, Persistent = true },
                "{\"number\":1}"u8.ToArray(), ct);

        // A consumer takes it and dies without acknowledging it (its channel goes with it), three times: the third return
        // exceeds the limit of 2.
        for (var delivery = 1; delivery <= 3; delivery++)
        {
            await using var consumer = await connection.CreateChannelAsync(cancellationToken: ct);
            // The broker returns the message of the previous, closed channel to the queue asynchronously.
            BasicGetResult? taken = null;
            await Eventually.HoldsAsync(async () => (taken = await consumer.BasicGetAsync("crashing-work", autoAck: false, ct)) is not null,
                $"delivery {delivery}: the message back in crashing-work");
            Assert.Equal(messageId, taken!.BasicProperties.MessageId);
            await consumer.CloseAsync(ct);
        }

        await using var error = await AmqpObserver.StartAsync(vhost.AmqpUri, "crashing-work_error", "crashing-work_error", declare: false);
        await Eventually.HoldsAsync(async () => await error.CountAsync() == 1, "the message in crashing-work_error", TimeSpan.FromSeconds(30));
        var dead = Assert.Single(await error.TakeAsync(1));
        Assert.Equal(messageId, dead.MessageId);
        Assert.Contains("delivery_limit", System.Text.Encoding.UTF8.GetString(DeathReason(dead)), StringComparison.Ordinal);
        await using var check = await connection.CreateChannelAsync(cancellationToken: ct);
        Assert.Equal(0u, (await check.QueueDeclarePassiveAsync("crashing-work", ct)).MessageCount);
    }

    /// <summary>The broker's <c>x-death</c> header: a list of tables, each with the <c>reason</c> it was dead-lettered for.</summary>
    private static byte[] DeathReason(RawMessage message)
    {
        var deaths = Assert.IsAssignableFrom<IList<object>>(message.Headers["x-death"]);
        var first = Assert.IsAssignableFrom<IDictionary<string, object>>(deaths[0]);
        return Assert.IsType<byte[]>(first["reason"]);
    }
}
