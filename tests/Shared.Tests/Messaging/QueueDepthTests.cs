using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

public sealed record SlowWork(int Number);

/// <summary>Holds every message until released, so that the rest wait in the queue.</summary>
public sealed class HeldConsumer(HeldGate gate) : IConsumer<SlowWork>
{
    public Task Consume(ConsumeContext<SlowWork> context) => gate.Released.Task;
}

public sealed class HeldGate
{
    public TaskCompletionSource Released { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
}

public sealed class QueueDepthTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("queue-depth");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task The_queue_depth_gauge_reports_messages_waiting_in_a_consumed_queue()
    {
        var vhost = await rabbit.RequireAsync();
        var ct = TestContext.Current.CancellationToken;
        var gate = new HeldGate();
        var settings = OutboxRelayRabbitMqTests.RabbitSettings(vhost.AmqpUri);
        settings["Messaging:RabbitMq:PrefetchCount"] = "1";
        settings["Messaging:QueueDepthInterval"] = "00:00:00.200";
        await using var host = await BusHost.StartAsync(_temp, x => x.AddConsumer<HeldConsumer>(c => c.ConcurrentMessageLimit = 1),
            settings, outbox: false, configureServices: services => services.AddSingleton(gate));
        var depths = new ConcurrentDictionary<string, long>();
        using var listener = new MeterListener
        {
            InstrumentPublished = (instrument, l) =>
            {
                if (instrument.Name == "platform.queue.depth")
                    l.EnableMeasurementEvents(instrument);
            },
        };
        listener.SetMeasurementEventCallback<long>((_, value, tags, _) =>
        {
            foreach (var tag in tags)
                if (tag.Key == "queue")
                    depths[(string)tag.Value!] = value;
        });
        listener.Start();

        for (var i = 0; i < 6; i++)
            await host.Bus.Publish(new SlowWork(i), ct);

        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (depths.GetValueOrDefault("held") < 4)
        {
            listener.RecordObservableInstruments();
            await Task.Delay(100, timeout.Token);
        }
        gate.Released.SetResult();
        while (depths.GetValueOrDefault("held", -1) != 0)
        {
            listener.RecordObservableInstruments();
            await Task.Delay(100, timeout.Token);
        }
    }
}
