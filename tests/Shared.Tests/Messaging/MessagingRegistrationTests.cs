using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Messaging;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

public sealed record RetryProbe(bool Invalid);

/// <summary>Always fails: with an <see cref="InvalidMessageException"/> or with an ordinary (transient-looking) error.</summary>
public sealed class RetryProbeConsumer(MessageLog log) : IConsumer<RetryProbe>
{
    public Task Consume(ConsumeContext<RetryProbe> context)
    {
        log.Add(new Received(context.MessageId, context.Message, $"attempt {context.GetRetryAttempt()}"));
        throw context.Message.Invalid
            ? new InvalidMessageException("the title is empty")
            : new InvalidOperationException("the database is locked");
    }
}

/// <summary>What <c>AddMessaging</c> configures on every endpoint: retries, no retries for invalid messages, error queues.</summary>
public sealed class MessagingRegistrationTests : IDisposable
{
    private readonly TempDirectory _temp = new("messaging-registration");

    public void Dispose() => _temp.Dispose();

    private Task<BusHost> StartAsync() => BusHost.StartAsync(_temp, x => x.AddConsumer<RetryProbeConsumer>(),
        new Dictionary<string, string?> { ["Messaging:RetryLimit"] = "2" }, outbox: false);

    /// <summary>Reads the consumer's error queue (kebab-case endpoint name plus <c>_error</c>): message ids and fault reasons.</summary>
    private static async Task<MessageLog> WatchErrorQueueAsync(BusHost host)
    {
        var faulted = new MessageLog();
        var connector = host.Services.GetRequiredService<IReceiveEndpointConnector>();
        var handle = connector.ConnectReceiveEndpoint("retry-probe_error", (_, endpoint) =>
        {
            endpoint.ConfigureConsumeTopology = false; // only what is moved into the queue, not new publishes of RetryProbe
            endpoint.Handler<RetryProbe>(context =>
            {
                // The fault reason travels as a transport header of the moved message.
                var reason = context.ReceiveContext.TransportHeaders.Get<string>("MT-Fault-Message") ?? "";
                faulted.Add(new Received(context.MessageId, context.Message, reason));
                return Task.CompletedTask;
            });
        });
        await handle.Ready.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken);
        return faulted;
    }

    [Fact]
    public async Task A_failing_message_is_retried_RetryLimit_times_then_moved_to_the_error_queue()
    {
        // RetryLimit 2: the first attempt and two retries (MessagingOptions: "immediate retries ... before it moves to its _error queue").
        await using var host = await StartAsync();
        var errors = await WatchErrorQueueAsync(host);
        var id = NewId.NextGuid();

        await host.Bus.Publish(new RetryProbe(Invalid: false), ctx => ctx.MessageId = id, TestContext.Current.CancellationToken);

        var faulted = await errors.WaitForAsync(r => r.MessageId == id, 1);
        Assert.Equal(["attempt 0", "attempt 1", "attempt 2"], host.Received.All.Where(r => r.MessageId == id).Select(r => r.Note));
        Assert.Equal("the database is locked", faulted[0].Note);
    }

    [Fact]
    public async Task An_invalid_message_is_not_retried_and_its_error_queue_entry_names_the_reason()
    {
        await using var host = await StartAsync();
        var errors = await WatchErrorQueueAsync(host);
        var id = NewId.NextGuid();

        await host.Bus.Publish(new RetryProbe(Invalid: true), ctx => ctx.MessageId = id, TestContext.Current.CancellationToken);

        // In the error queue means the retry policy is done with it: every attempt it was going to get, it got.
        var faulted = await errors.WaitForAsync(r => r.MessageId == id, 1);
        Assert.Equal("the title is empty", faulted[0].Note);
        Assert.Equal(["attempt 0"], host.Received.All.Where(r => r.MessageId == id).Select(r => r.Note));
    }
}
