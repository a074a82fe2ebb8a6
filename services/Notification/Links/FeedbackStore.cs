using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Messaging;

namespace Platform.Notification.Links;

/// <summary>Feedback from email links: one per (subscriber, listing, kind); each new one queues a <see cref="FeedbackSubmitted"/>.</summary>
public sealed class FeedbackStore(NotificationDatabase database, OutboxWriter<NotificationDatabase> outbox, TimeProvider clock)
{
    /// <returns>True when this feedback is new (an event was queued); false when it was given before.</returns>
    public async Task<bool> RecordAsync(Guid subscriberId, Guid listingId, FeedbackKind kind, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var id = NewId.NextGuid();
        await using var uow = await database.BeginAsync(ct);
        var inserted = await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO feedback (id, subscriber_id, listing_id, kind, submitted_at)
            VALUES (@Id, @SubscriberId, @ListingId, @Kind, @Now)
            """, new { Id = id, SubscriberId = subscriberId, ListingId = listingId, Kind = kind.ToString(), Now = now }, uow.Transaction, cancellationToken: ct));
        if (inserted == 0)
            return false;
        await outbox.AddAsync(uow, new FeedbackSubmitted
        {
            FeedbackId = id, SubscriberId = subscriberId, ListingId = listingId, Kind = kind, SubmittedAt = now,
        }, ct);
        await uow.CommitAsync(ct);
        return true;
    }

    /// <summary>The title the subscriber was sent for a listing, for the confirmation page.</summary>
    public async Task<string?> TitleAsync(Guid subscriberId, Guid listingId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QueryFirstOrDefaultAsync<string>(new CommandDefinition(
            """
            SELECT title FROM deliveries WHERE subscriber_id = @SubscriberId AND listing_id = @ListingId
            UNION ALL SELECT title FROM listings WHERE listing_id = @ListingId
            LIMIT 1
            """, new { SubscriberId = subscriberId, ListingId = listingId }, cancellationToken: ct));
    }
}
