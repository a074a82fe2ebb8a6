using System.Text.Json;
using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Data;
using Platform.Messaging;

namespace Platform.Notification.Deliveries;

/// <summary>The delivery log: decides that each (subscriber, listing, channel) is sent once, and records every outcome.</summary>
public sealed class DeliveryLog(NotificationDatabase database, OutboxWriter<NotificationDatabase> outbox, TimeProvider clock)
{
    /// <returns>True when this delivery is new; false when the log already has it.</returns>
    public async Task<bool> TryAddAsync(UnitOfWork uow, Guid subscriberId, ListingScored listing, SubscriberMatch match, NotificationChannel channel, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var inserted = await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO deliveries (id, subscriber_id, listing_id, channel, title, url, score, rewards, status, next_attempt_at, created_at)
            VALUES (@Id, @SubscriberId, @ListingId, @Channel, @Title, @Url, @Score, @Rewards, 'pending', @Now, @Now)
            """,
            new
            {
                Id = NewId.NextGuid(), SubscriberId = subscriberId, listing.ListingId, Channel = channel.ToString(),
                listing.Title, listing.Url, match.Score, Rewards = JsonSerializer.Serialize(match.Rewards), Now = now,
            }, uow.Transaction, cancellationToken: ct));
        return inserted == 1;
    }

    public async Task<IReadOnlyList<DeliveryView>> ForSubscriberAsync(Guid subscriberId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<DeliveryView>(new CommandDefinition(
            """
            SELECT id, listing_id, channel, title, url, score, status, attempts, last_error, created_at, completed_at
            FROM deliveries WHERE subscriber_id = @SubscriberId ORDER BY created_at, id
            """, new { SubscriberId = subscriberId }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<Delivery>> DueAsync(int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Delivery>(new CommandDefinition(
            """
            SELECT d.id, d.subscriber_id, d.listing_id, d.channel, d.title, d.url, d.score, d.rewards, d.attempts,
                   s.email, s.webhook_url, s.webhook_secret
            FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id
            WHERE d.status = 'pending' AND d.next_attempt_at <= @Now
            ORDER BY d.next_attempt_at LIMIT @Limit
            """, new { Now = clock.GetUtcNow(), Limit = limit }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task MarkDeliveredAsync(Delivery delivery, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var uow = await database.BeginAsync(ct);
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, completed_at = @Now, last_error = NULL WHERE id = @Id",
            new { delivery.Id, Now = now }, uow.Transaction, cancellationToken: ct));
        await outbox.AddAsync(uow, new NotificationDelivered
        {
            SubscriberId = delivery.SubscriberId, ListingId = delivery.ListingId, Channel = delivery.Channel,
            Score = delivery.Score, Attempts = delivery.Attempts + 1, DeliveredAt = now,
        }, ct);
        await uow.CommitAsync(ct);
    }

    public async Task MarkFailedAsync(Delivery delivery, string reason, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var uow = await database.BeginAsync(ct);
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET status = 'failed', attempts = attempts + 1, completed_at = @Now, last_error = @Reason WHERE id = @Id",
            new { delivery.Id, Now = now, Reason = reason }, uow.Transaction, cancellationToken: ct));
        await outbox.AddAsync(uow, new NotificationFailed
        {
            SubscriberId = delivery.SubscriberId, ListingId = delivery.ListingId, Channel = delivery.Channel,
            Attempts = delivery.Attempts + 1, Reason = reason, FailedAt = now,
        }, ct);
        await uow.CommitAsync(ct);
    }

    public async Task ScheduleRetryAsync(Delivery delivery, string reason, DateTimeOffset nextAttemptAt, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET attempts = attempts + 1, next_attempt_at = @Next, last_error = @Reason WHERE id = @Id",
            new { delivery.Id, Next = nextAttemptAt, Reason = reason }, cancellationToken: ct));
    }
}
