using MassTransit;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Notification.Catalogue;
using Platform.Notification.Subscribers;

namespace Platform.Notification.Deliveries;

/// <summary>
/// Turns a scored listing into deliveries for each active subscriber whose score clears their threshold, on their
/// terms: excluded topics are never sent; digest subscribers' emails wait (queued) for their digest; instant emails
/// wait out quiet hours and stop at the daily cap. Webhooks are machine-to-machine and always instant.
/// </summary>
public sealed class NotifySubscribersConsumer(
    NotificationDatabase database, SubscriberStore subscribers, ListingCatalogue catalogue, DeliveryLog log, DeliverySignal signal, TimeProvider clock)
    : IConsumer<ListingScored>
{
    public async Task Consume(ConsumeContext<ListingScored> context)
    {
        var listing = context.Message;
        var ct = context.CancellationToken;
        var active = await subscribers.FindActiveAsync(listing.Matches.Select(m => m.SubscriberId), ct);
        var tags = await catalogue.TagsAsync(listing.ListingId, ct);
        var now = clock.GetUtcNow();

        await using var uow = await database.BeginAsync(ct);
        if (!await uow.TryClaimAsync(context, nameof(NotifySubscribersConsumer)))
            return;
        foreach (var match in listing.Matches)
        {
            if (!active.TryGetValue(match.SubscriberId, out var subscriber) || match.Score < subscriber.Threshold)
                continue;
            if (SubscriberSchedule.Excludes(subscriber, listing.Title, tags))
                continue;
            if (subscriber.WebhookUrl is not null)
                await log.TryAddAsync(uow, subscriber.Id, listing, match, NotificationChannel.Webhook, ct);
            if (subscriber.Email is null)
                continue;
            if (subscriber.Mode != DeliveryModes.Instant)
            {
                await log.TryAddAsync(uow, subscriber.Id, listing, match, NotificationChannel.Email, ct, DeliveryLog.Queued);
                continue;
            }
            if (subscriber.MaxPerDay is { } cap
                && await log.CountEmailsSinceAsync(uow, subscriber.Id, SubscriberSchedule.LocalDayStart(subscriber, now), ct) >= cap)
            {
                await log.TryAddAsync(uow, subscriber.Id, listing, match, NotificationChannel.Email, ct, DeliveryLog.Skipped, note: $"daily limit of {cap} reached");
                continue;
            }
            await log.TryAddAsync(uow, subscriber.Id, listing, match, NotificationChannel.Email, ct, notBefore: SubscriberSchedule.QuietUntil(subscriber, now));
        }
        uow.AfterCommit(signal.Notify);
        await uow.CommitAsync(ct);
    }
}
