using Microsoft.Extensions.Options;
using Platform.Contracts;

namespace Platform.Notification.Deliveries;

/// <summary>
/// Sends due deliveries from the log. Nothing is lost on failure: a delivery stays pending with exponential backoff
/// and jitter until it succeeds, is refused for good (4xx), or runs out of attempts; the last two publish a failure event.
/// </summary>
public sealed class DeliveryDispatcher(
    DeliveryLog log,
    IEnumerable<INotificationSender> senders,
    DeliverySignal signal,
    NotificationTelemetry telemetry,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<DeliveryDispatcher> logger) : BackgroundService
{
    private readonly Dictionary<NotificationChannel, INotificationSender> _senders = senders.ToDictionary(s => s.Channel);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Delivery;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                var due = await log.DueAsync(settings.BatchSize, stoppingToken);
                foreach (var delivery in due)
                    await DispatchAsync(delivery, settings, stoppingToken);
                if (due.Count < settings.BatchSize)
                {
                    // Out of due work: close connections kept open for the batch (e.g. SMTP), then wait.
                    if (due.Count > 0)
                        await EndBatchAsync(stoppingToken);
                    await signal.WaitAsync(settings.PollInterval, stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Delivery dispatch failed; retrying");
                await Task.Delay(settings.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    private async Task EndBatchAsync(CancellationToken ct)
    {
        foreach (var sender in _senders.Values.OfType<IBatchingSender>())
        {
            try
            {
                await sender.EndBatchAsync(ct);
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Closing the {Channel} connection failed", ((INotificationSender)sender).Channel);
            }
        }
    }

    private async Task DispatchAsync(Delivery delivery, DeliveryOptions settings, CancellationToken ct)
    {
        using var activity = NotificationTelemetry.StartDelivery(delivery);
        DeliveryResult result;
        try
        {
            result = await _senders[delivery.Channel].SendAsync(delivery, ct);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // A sender that throws must not block the deliveries behind this one: treat it as a transient failure.
            logger.LogError(ex, "Sending delivery {DeliveryId} to {Channel} threw", delivery.Id, delivery.Channel);
            result = new DeliveryResult(DeliveryOutcome.Retry, ex.Message);
        }
        switch (result.Outcome)
        {
            case DeliveryOutcome.Delivered:
                await log.MarkDeliveredAsync(delivery, ct);
                telemetry.Record(delivery, "delivered", clock.GetUtcNow());
                break;
            case DeliveryOutcome.Retry when delivery.Attempts + 1 < settings.MaxAttempts:
                var next = clock.GetUtcNow() + Backoff(delivery.Attempts, settings);
                logger.LogWarning("Delivery {DeliveryId} to {Channel} failed ({Reason}); retrying at {Next}", delivery.Id, delivery.Channel, result.Reason, next);
                await log.ScheduleRetryAsync(delivery, result.Reason ?? "failed", next, ct);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Reason);
                telemetry.Record(delivery, "retry", clock.GetUtcNow());
                break;
            default:
                logger.LogWarning("Delivery {DeliveryId} to {Channel} given up after {Attempts} attempts: {Reason}", delivery.Id, delivery.Channel, delivery.Attempts + 1, result.Reason);
                await log.MarkFailedAsync(delivery, result.Reason ?? "failed", ct);
                activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, result.Reason);
                telemetry.Record(delivery, "failed", clock.GetUtcNow());
                break;
        }
    }

    /// <summary>Exponential backoff with full jitter, capped.</summary>
    private static TimeSpan Backoff(int attempts, DeliveryOptions settings)
    {
        var ceiling = Math.Min(settings.MaxRetryDelay.TotalMilliseconds, settings.FirstRetryDelay.TotalMilliseconds * Math.Pow(2, attempts));
        return TimeSpan.FromMilliseconds(ceiling / 2 + Random.Shared.NextDouble() * ceiling / 2);
    }
}
