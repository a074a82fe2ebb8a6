using MassTransit;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Platform.Data;

namespace Platform.Messaging;

/// <summary>
/// Publishes a database's outbox rows strictly in sequence order. A row is marked sent only after the publish
/// returned, which on RabbitMQ means the broker confirmed it; after a crash unsent rows are simply published again
/// with the same message id, and consumers' inboxes drop the duplicate.
/// </summary>
public sealed class OutboxRelay<TDatabase>(
    TDatabase database,
    IBus bus,
    OutboxSignal<TDatabase> signal,
    IOptions<OutboxOptions> options,
    TimeProvider clock,
    IHostApplicationLifetime lifetime,
    ILogger<OutboxRelay<TDatabase>> logger) : BackgroundService where TDatabase : SqliteDatabase
{
    private readonly OutboxOptions _options = options.Value;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        // Rows a previous run left unsent wait until the host, and so the bus with its receive endpoints, has started:
        // the relay starts before the bus, and published into a bus not yet started (the in-memory transport) they
        // were dropped and still marked sent.
        if (!await HostStartedAsync(stoppingToken))
            return;
        var backoff = TimeSpan.Zero;
        var nextCleanup = clock.GetUtcNow();
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var drained = await PublishPendingAsync(stoppingToken);
                backoff = TimeSpan.Zero;
                if (clock.GetUtcNow() >= nextCleanup)
                {
                    await OutboxStore.DeleteExpiredAsync(database, clock.GetUtcNow() - _options.Retention, stoppingToken);
                    nextCleanup = clock.GetUtcNow().AddHours(1);
                }
                if (drained)
                    await signal.WaitAsync(_options.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                backoff = backoff == TimeSpan.Zero ? TimeSpan.FromMilliseconds(250) : TimeSpan.FromTicks(Math.Min(backoff.Ticks * 2, _options.MaxBackoff.Ticks));
                logger.LogWarning(ex, "Outbox relay for {Database} failed; retrying in {Backoff}", database.Name, backoff);
                await Task.Delay(backoff, clock, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task<bool> HostStartedAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var onStarted = lifetime.ApplicationStarted.Register(() => started.TrySetResult());
        using var onStopping = stoppingToken.Register(() => started.TrySetCanceled(stoppingToken));
        try
        {
            await started.Task;
            return true;
        }
        catch (OperationCanceledException)
        {
            return false;
        }
    }

    /// <returns>True when the outbox has no more unsent rows.</returns>
    private async Task<bool> PublishPendingAsync(CancellationToken ct)
    {
        var batch = await OutboxStore.NextUnsentAsync(database, _options.BatchSize, ct);
        foreach (var row in batch)
        {
            try
            {
                using var activity = OutboxMetrics.StartPublish(database.Name, row);
                var (message, type) = MessageSerializer.Deserialize(row.MessageType, row.Body);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(_options.PublishTimeout);
                await bus.Publish(message, type, context => context.MessageId = row.MessageId, timeout.Token);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                await OutboxStore.RecordFailureAsync(database, row.Sequence, ex.Message, ct);
                throw;
            }
            var sentAt = clock.GetUtcNow();
            await OutboxStore.MarkSentAsync(database, row.Sequence, sentAt, ct);
            OutboxMetrics.Lag(database.Name, sentAt - row.CreatedAt);
        }
        OutboxMetrics.Published(database.Name, batch.Count);
        OutboxMetrics.Backlog(database.Name, batch.Count < _options.BatchSize ? 0 : await OutboxStore.BacklogAsync(database, ct));
        return batch.Count < _options.BatchSize;
    }
}
