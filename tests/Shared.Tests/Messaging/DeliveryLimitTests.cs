using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

public sealed record CrashingWork(int Number);

/// <summary>
/// Stands in for a message that takes its consumer's process down: it never finishes, so its delivery only ends when
/// the connection goes (the test closes it, as a crash would).
/// </summary>
public sealed class CrashingWorkConsumer(MessageLog log, CrashGate gate) : IConsumer<CrashingWork>
{
    public async Task Consume(ConsumeContext<CrashingWork> context)
    {
        log.Add(new Received(context.MessageId, context.Message, context.ReceiveContext.Redelivered ? "redelivered" : "first"));
        await gate.Released.Task;
    }
}

public sealed class CrashGate
{
    public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

/// <summary>
/// Consumer queues are quorum queues with a delivery limit: a message whose delivery keeps ending without an
/// acknowledgement is moved to the endpoint's <c>_error</c> queue by the broker instead of being redelivered forever.
/// </summary>
public sealed class DeliveryLimitTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("delivery-limit");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task A_message_that_never_completes_is_dead_lettered_into_the_error_queue_after_the_delivery_limit()
    {
        var vhost = await rabbit.RequireAsync();
        var ct = TestContext.Current.CancellationToken;
        var settings = OutboxRelayRabbitMqTests.RabbitSettings(vhost.AmqpUri);
        settings["Messaging:RabbitMq:DeliveryLimit"] = "2";
        var gate = new CrashGate();
        await using var host = await BusHost.StartAsync(_temp, x => x.AddConsumer<CrashingWorkConsumer>(), settings, outbox: false,
            services => services.AddSingleton(gate));
        try
        {
            var types = await vhost.Broker.RabbitMqCtlAsync(["list_queues", "-p", vhost.Name, "name", "type", "--no-table-headers"], ct);
            Assert.Contains(types.Split('\n'), l => l.StartsWith("crashing-work\t", StringComparison.Ordinal) && l.Contains("quorum", StringComparison.Ordinal));

            var messageId = NewId.NextGuid();
            await host.Bus.Publish(new CrashingWork(1), context => context.MessageId = messageId, ct);

            // Delivery 1, 2 and 3 each end with the connection; the third return exceeds the limit of 2.
            for (var delivery = 1; delivery <= 3; delivery++)
            {
                await host.Received.WaitForAsync(r => r.MessageId == messageId, delivery, TimeSpan.FromSeconds(60));
                await vhost.Broker.CloseAllConnectionsAsync(vhost.Name, ct);
            }

            await using var error = await AmqpObserver.StartAsync(vhost.AmqpUri, "crashing-work_error", "crashing-work_error", declare: false);
            await Eventually.HoldsAsync(async () => await error.CountAsync() == 1, "the message in crashing-work_error", TimeSpan.FromSeconds(30));
            var dead = Assert.Single(await error.TakeAsync(1));
            Assert.Equal(messageId.ToString(), dead.MessageId);
            Assert.Contains("delivery_limit", System.Text.Encoding.UTF8.GetString(DeathReason(dead)), StringComparison.Ordinal);

            // It is not delivered again once it is dead-lettered.
            await Task.Delay(TimeSpan.FromSeconds(3), ct);
            Assert.Equal(3, host.Received.All.Count(r => r.MessageId == messageId));
        }
        finally
        {
            gate.Released.TrySetResult();
        }
    }

    /// <summary>The broker's <c>x-death</c> header: a list of tables, each with the <c>reason</c> it was dead-lettered for.</summary>
    private static byte[] DeathReason(RawMessage message)
    {
        var deaths = Assert.IsAssignableFrom<IList<object>>(message.Headers["x-death"]);
        var first = Assert.IsAssignableFrom<IDictionary<string, object>>(deaths[0]);
        return Assert.IsType<byte[]>(first["reason"]);
    }
}
