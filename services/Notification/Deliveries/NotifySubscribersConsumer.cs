using MassTransit;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Notification.Subscribers;

namespace Platform.Notification.Deliveries;

/// <summary>Turns a scored listing into pending deliveries for each active subscriber whose score clears their threshold.</summary>
public sealed class NotifySubscribersConsumer(NotificationDatabase database, SubscriberStore subscribers, DeliveryLog log, DeliverySignal signal)
    : IConsumer<ListingScored>
{
    public async Task Consume(ConsumeContext<ListingScored> context)
    {
        var listing = context.Message;
        var ct = context.CancellationToken;
        var active = await subscribers.FindActiveAsync(listing.Matches.Select(m => m.SubscriberId), ct);

        await using var uow = await database.BeginAsync(ct);
        if (!await uow.TryClaimAsync(context, nameof(NotifySubscribersConsumer)))
            return;
        foreach (var match in listing.Matches)
        {
            if (!active.TryGetValue(match.SubscriberId, out var subscriber) || match.Score < subscriber.Threshold)
                continue;
            if (subscriber.WebhookUrl is not null)
                await log.TryAddAsync(uow, subscriber.Id, listing, match, NotificationChannel.Webhook, ct);
            if (subscriber.Email is not null)
                await log.TryAddAsync(uow, subscriber.Id, listing, match, NotificationChannel.Email, ct);
        }
        uow.AfterCommit(signal.Notify);
        await uow.CommitAsync(ct);
    }
}
