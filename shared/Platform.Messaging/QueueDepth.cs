using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using RabbitMQ.Client;
using RabbitMQ.Client.Exceptions;

namespace Platform.Messaging;

/// <summary>The queues this process consumes from, as its receive endpoints become ready.</summary>
public sealed class ObservedQueues
{
    private readonly ConcurrentDictionary<string, byte> _names = new(StringComparer.Ordinal);

    public void Add(Uri inputAddress)
    {
        var name = inputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries).LastOrDefault();
        if (!string.IsNullOrEmpty(name))
            _names.TryAdd(name, 0);
    }

    public IReadOnlyList<string> Names => [.. _names.Keys.Order(StringComparer.Ordinal)];
}

internal sealed class QueueNameCollector(ObservedQueues queues) : IReceiveEndpointObserver
{
    public Task Ready(ReceiveEndpointReady ready)
    {
        queues.Add(ready.InputAddress);
        return Task.CompletedTask;
    }

    public Task Stopping(ReceiveEndpointStopping stopping) => Task.CompletedTask;
    public Task Completed(ReceiveEndpointCompleted completed) => Task.CompletedTask;
    public Task Faulted(ReceiveEndpointFaulted faulted) => Task.CompletedTask;
}

/// <summary>
/// Gauge <c>platform.queue.depth</c> (meter <c>Platform.Messaging</c>): ready messages in each queue this process
/// consumes from and in its <c>_error</c> queue, read every <c>Messaging:QueueDepthInterval</c> with a passive declare
/// on a connection of its own (RabbitMQ only; the in-memory bus has no broker to ask).
/// </summary>
internal sealed class QueueDepthMonitor(ObservedQueues queues, IOptions<MessagingOptions> options, ILogger<QueueDepthMonitor> logger)
    : BackgroundService
{
    private static readonly ConcurrentDictionary<string, long> Depths = new(StringComparer.Ordinal);

    static QueueDepthMonitor() =>
        OutboxMetrics.Meter.CreateObservableGauge("platform.queue.depth",
            () => Depths.Select(d => new Measurement<long>(d.Value, new KeyValuePair<string, object?>("queue", d.Key))),
            "{message}", "Messages ready in each consumed queue and its _error queue, as of the last poll");

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        IConnection? connection = null;
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await Task.Delay(options.Value.QueueDepthInterval, stoppingToken);
                try
                {
                    connection ??= await Factory(options.Value.RabbitMq).CreateConnectionAsync("platform-queue-depth", stoppingToken);
                    foreach (var queue in queues.Names.SelectMany(q => new[] { q, q + "_error" }))
                        await ReadAsync(connection, queue, stoppingToken);
                }
                catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
                {
                    logger.LogDebug(ex, "Reading queue depths failed; trying again at the next poll");
                    if (connection is not null)
                        await connection.DisposeAsync();
                    connection = null;
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            if (connection is not null)
                await connection.DisposeAsync();
        }
    }

    private static async Task ReadAsync(IConnection connection, string queue, CancellationToken ct)
    {
        // A passive declare of a queue that does not exist (an _error queue before its first fault) closes the channel.
        await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
        try
        {
            Depths[queue] = (await channel.QueueDeclarePassiveAsync(queue, ct)).MessageCount;
        }
        catch (OperationInterruptedException)
        {
            Depths.TryRemove(queue, out _);
        }
    }

    private static ConnectionFactory Factory(RabbitMqOptions rabbit) =>
        !string.IsNullOrWhiteSpace(rabbit.Url)
            ? new ConnectionFactory { Uri = new Uri(rabbit.Url) }
            : new ConnectionFactory
            {
                HostName = rabbit.Host, Port = rabbit.Port, VirtualHost = rabbit.VirtualHost, UserName = rabbit.Username, Password = rabbit.Password,
            };
}
