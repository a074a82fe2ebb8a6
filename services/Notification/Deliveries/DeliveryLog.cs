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
    /// <param name="status"><c>pending</c> (send when due), <c>queued</c> (wait for the digest) or <c>skipped</c> (never sent; <paramref name="note"/> says why).</param>
    public async Task<bool> TryAddAsync(UnitOfWork uow, Guid subscriberId, ListingScored listing, SubscriberMatch match, NotificationChannel channel, CancellationToken ct,
        string status = Pending, DateTimeOffset? notBefore = null, string? note = null)
    {
        var now = clock.GetUtcNow();
        var inserted = await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO deliveries (id, subscriber_id, listing_id, channel, title, url, score, rewards, status, next_attempt_at, last_error, created_at, completed_at, trace_parent)
            VALUES (@Id, @SubscriberId, @ListingId, @Channel, @Title, @Url, @Score, @Rewards, @Status, @Next, @Note, @Now, @Completed, @TraceParent)
            """,
            new
            {
                Id = NewId.NextGuid(), SubscriberId = subscriberId, listing.ListingId, Channel = channel.ToString(),
                listing.Title, listing.Url, match.Score, Rewards = JsonSerializer.Serialize(match.Rewards), Now = now,
                Status = status, Next = notBefore ?? now, Note = note, Completed = status == Skipped ? now : (DateTimeOffset?)null,
                TraceParent = NotificationTelemetry.CurrentTraceParent(),
            }, uow.Transaction, cancellationToken: ct));
        return inserted == 1;
    }

    public const string Pending = "pending";
    public const string Queued = "queued";
    public const string Skipped = "skipped";

    /// <summary>Email deliveries of the subscriber counted against their daily cap (created since <paramref name="since"/>, not skipped).</summary>
    public async Task<int> CountEmailsSinceAsync(UnitOfWork uow, Guid subscriberId, DateTimeOffset since, CancellationToken ct) =>
        await uow.Connection.ExecuteScalarAsync<int>(new CommandDefinition(
            "SELECT COUNT(*) FROM deliveries WHERE subscriber_id = @SubscriberId AND channel = 'Email' AND status IN ('pending', 'delivered') AND created_at >= @Since",
            new { SubscriberId = subscriberId, Since = since }, uow.Transaction, cancellationToken: ct));

    /// <summary>Queued (digest) email deliveries of a subscriber, best score first, with the catalogue's abstract.</summary>
    public async Task<IReadOnlyList<Delivery>> QueuedAsync(Guid subscriberId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Delivery>(new CommandDefinition(
            $"{SelectDelivery} WHERE d.subscriber_id = @SubscriberId AND d.status = 'queued' AND d.channel = 'Email' ORDER BY d.score DESC, d.created_at",
            new { SubscriberId = subscriberId }, cancellationToken: ct));
        return rows.AsList();
    }

    /// <summary>
    /// Closes a digest period: the listings sent are delivered (one <see cref="NotificationDelivered"/> each), the other
    /// queued ones are skipped (they were not among the best), and the subscriber's period advances.
    /// </summary>
    public async Task CompleteDigestAsync(Guid subscriberId, IReadOnlyList<Delivery> considered, IReadOnlyList<Delivery> sent, Guid? digestId, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var uow = await database.BeginAsync(ct);
        foreach (var delivery in sent)
        {
            await uow.Connection.ExecuteAsync(new CommandDefinition(
                "UPDATE deliveries SET status = 'delivered', attempts = attempts + 1, completed_at = @Now, last_error = NULL, digest_id = @DigestId WHERE id = @Id AND status = 'queued'",
                new { delivery.Id, Now = now, DigestId = digestId }, uow.Transaction, cancellationToken: ct));
            await outbox.AddAsync(uow, new NotificationDelivered
            {
                SubscriberId = delivery.SubscriberId, ListingId = delivery.ListingId, Channel = delivery.Channel,
                Score = delivery.Score, Attempts = delivery.Attempts + 1, DeliveredAt = now,
            }, ct);
        }
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET status = 'skipped', completed_at = @Now, last_error = 'not among the best of its digest' WHERE id IN @Ids AND status = 'queued'",
            new { Ids = considered.Except(sent).Select(d => d.Id.ToString("D")).ToArray(), Now = now }, uow.Transaction, cancellationToken: ct));
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE subscribers SET last_digest_at = @Now WHERE id = @SubscriberId",
            new { SubscriberId = subscriberId, Now = now }, uow.Transaction, cancellationToken: ct));
        await uow.CommitAsync(ct);
    }

    /// <summary>Records a failed digest attempt on its queued deliveries (they stay queued and go out with the next try).</summary>
    public async Task NoteDigestFailureAsync(IReadOnlyList<Delivery> deliveries, string reason, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET attempts = attempts + 1, last_error = @Reason WHERE id IN @Ids AND status = 'queued'",
            new { Ids = deliveries.Select(d => d.Id.ToString("D")).ToArray(), Reason = reason }, cancellationToken: ct));
    }

    private const string SelectDelivery =
        """
        SELECT d.id, d.subscriber_id, d.listing_id, d.channel, d.title, d.url, d.score, d.rewards, d.attempts,
               s.email, s.webhook_url, s.webhook_secret, l.abstract, COALESCE(d.url, l.url) AS listing_url, d.trace_parent, d.created_at
        FROM deliveries d JOIN subscribers s ON s.id = d.subscriber_id LEFT JOIN listings l ON l.listing_id = d.listing_id
        """;

    public Task<IReadOnlyList<DeliveryView>> ForSubscriberAsync(Guid subscriberId, CancellationToken ct) =>
        ViewsAsync("subscriber_id = @Id", subscriberId, ct);

    public Task<IReadOnlyList<DeliveryView>> ForListingAsync(Guid listingId, CancellationToken ct) =>
        ViewsAsync("listing_id = @Id", listingId, ct);

    private async Task<IReadOnlyList<DeliveryView>> ViewsAsync(string condition, Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<DeliveryView>(new CommandDefinition(
            $"""
            SELECT id, subscriber_id, listing_id, channel, title, url, score, status, attempts, last_error, created_at, completed_at
            FROM deliveries WHERE {condition} ORDER BY created_at, id
            """, new { Id = id }, cancellationToken: ct));
        return rows.AsList();
    }

    public async Task<IReadOnlyList<Delivery>> DueAsync(int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Delivery>(new CommandDefinition(
            $"{SelectDelivery} WHERE d.status = 'pending' AND d.next_attempt_at <= @Now AND s.status = 'active' ORDER BY d.next_attempt_at LIMIT @Limit", new { Now = clock.GetUtcNow(), Limit = limit }, cancellationToken: ct));
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
