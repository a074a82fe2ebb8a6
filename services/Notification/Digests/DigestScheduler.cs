using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Notification.Deliveries;
using Platform.Notification.Email;
using Platform.Notification.Subscribers;

namespace Platform.Notification.Digests;

/// <summary>
/// Sends each daily or weekly subscriber one email per period, at their local digest time, with the best-scored
/// listings queued for them since the last one. The delivery log's UNIQUE (subscriber, listing, channel) means a
/// listing is queued (and so sent) at most once; listings left out of a digest are skipped, not carried over.
/// A failed send leaves everything queued and is tried again on the next poll.
/// </summary>
public sealed class DigestScheduler(
    SubscriberStore subscribers,
    DeliveryLog log,
    EmailComposer composer,
    EmailSender sender,
    IOptions<NotificationOptions> options,
    TimeProvider clock,
    ILogger<DigestScheduler> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var settings = options.Value.Digest;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await RunOnceAsync(stoppingToken);
                await Task.Delay(settings.PollInterval, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex)
            {
                logger.LogError(ex, "Digest run failed; retrying");
                await Task.Delay(settings.PollInterval, stoppingToken).ContinueWith(_ => { }, TaskScheduler.Default);
            }
        }
    }

    /// <summary>Sends every digest that is due now; returns how many emails went out.</summary>
    public async Task<int> RunOnceAsync(CancellationToken ct)
    {
        var sent = 0;
        try
        {
            foreach (var subscriber in await subscribers.DigestSubscribersAsync(ct))
            {
                var now = clock.GetUtcNow();
                if (SubscriberSchedule.NextDigestAt(subscriber, subscriber.LastDigestAt ?? subscriber.CreatedAt) > now)
                    continue;
                if (await SendAsync(subscriber, ct))
                    sent++;
            }
        }
        finally
        {
            if (sent > 0)
                await sender.EndBatchAsync(ct);
        }
        return sent;
    }

    private async Task<bool> SendAsync(Subscriber subscriber, CancellationToken ct)
    {
        var queued = await log.QueuedAsync(subscriber.Id, ct);
        if (queued.Count == 0)
        {
            await log.CompleteDigestAsync(subscriber.Id, [], [], null, ct); // nothing new: the period closes without an email
            return false;
        }
        var best = queued.Take(Math.Max(1, options.Value.Digest.MaxListings)).ToList();
        var digestId = NewId.NextGuid();
        var period = subscriber.Mode == DeliveryModes.Weekly ? "weekly" : "daily";
        var result = await sender.SendAsync(composer.Digest(subscriber.Id, subscriber.Email!, period, digestId, best), digestId, ct);
        if (result.Outcome != DeliveryOutcome.Delivered)
        {
            logger.LogWarning("Digest for subscriber {SubscriberId} not sent ({Reason}); it stays queued and is tried again", subscriber.Id, result.Reason);
            await log.NoteDigestFailureAsync(best, result.Reason ?? "failed", ct);
            return false;
        }
        await log.CompleteDigestAsync(subscriber.Id, queued, best, digestId, ct);
        return true;
    }
}
