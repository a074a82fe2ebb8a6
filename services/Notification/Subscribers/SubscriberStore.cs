using System.Security.Cryptography;
using System.Text.Json;
using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Messaging;

namespace Platform.Notification.Subscribers;

/// <summary>Subscribers and their settings; every change queues a subscriber event in the same transaction.</summary>
public sealed class SubscriberStore(NotificationDatabase database, OutboxWriter<NotificationDatabase> outbox, TimeProvider clock)
{
    private const string Select =
        """
        SELECT id, email, webhook_url, webhook_secret, interests, threshold, status, created_at, updated_at, mode, time_zone,
               digest_time, digest_day, quiet_start, quiet_end, max_per_day, excluded_topics, last_digest_at
        FROM subscribers
        """;

    public async Task<Subscriber> RegisterAsync(ValidatedSubscriber request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var subscriber = Apply(new Subscriber
        {
            Id = NewId.NextGuid(),
            WebhookSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            CreatedAt = now,
            UpdatedAt = now,
        }, request, now);
        await using var uow = await database.BeginAsync(ct);
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO subscribers (id, email, webhook_url, webhook_secret, interests, threshold, status, created_at, updated_at,
                                     mode, time_zone, digest_time, digest_day, quiet_start, quiet_end, max_per_day, excluded_topics)
            VALUES (@Id, @Email, @WebhookUrl, @WebhookSecret, @Interests, @Threshold, @Status, @CreatedAt, @UpdatedAt,
                    @Mode, @TimeZone, @DigestTime, @DigestDay, @QuietStart, @QuietEnd, @MaxPerDay, @ExcludedTopics)
            """, subscriber, uow.Transaction, cancellationToken: ct));
        await outbox.AddAsync(uow, new SubscriberRegistered
        {
            SubscriberId = subscriber.Id,
            Interests = subscriber.Interests,
            Threshold = subscriber.Threshold,
            RegisteredAt = now,
        }, ct);
        await uow.CommitAsync(ct);
        return subscriber;
    }

    /// <summary>
    /// Replaces an active subscriber's settings; publishes <see cref="SubscriberUpdated"/> when interests or threshold
    /// changed (what embedding and scoring depend on). Null when there is no active subscriber with that id.
    /// </summary>
    public async Task<Subscriber?> UpdateAsync(Guid id, ValidatedSubscriber request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var uow = await database.BeginAsync(ct);
        var current = await uow.Connection.QuerySingleOrDefaultAsync<Subscriber>(new CommandDefinition(
            $"{Select} WHERE id = @Id AND status = 'active'", new { Id = id }, uow.Transaction, cancellationToken: ct));
        if (current is null)
            return null;
        var updated = Apply(current, request, now);
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            UPDATE subscribers SET email = @Email, webhook_url = @WebhookUrl, interests = @Interests, threshold = @Threshold,
                   updated_at = @UpdatedAt, mode = @Mode, time_zone = @TimeZone, digest_time = @DigestTime, digest_day = @DigestDay,
                   quiet_start = @QuietStart, quiet_end = @QuietEnd, max_per_day = @MaxPerDay, excluded_topics = @ExcludedTopics
            WHERE id = @Id
            """, updated, uow.Transaction, cancellationToken: ct));
        // Emails waiting for a digest: sent as instant alerts after a switch to instant mode; dropped when the address is.
        if (updated.Email is null)
        {
            await uow.Connection.ExecuteAsync(new CommandDefinition(
                "UPDATE deliveries SET status = 'skipped', last_error = 'email address removed', completed_at = @Now WHERE subscriber_id = @Id AND channel = 'Email' AND status IN ('pending', 'queued')",
                new { Id = id, Now = now }, uow.Transaction, cancellationToken: ct));
        }
        else if (updated.Mode == DeliveryModes.Instant && current.Mode != DeliveryModes.Instant)
        {
            await uow.Connection.ExecuteAsync(new CommandDefinition(
                "UPDATE deliveries SET status = 'pending', next_attempt_at = @Now WHERE subscriber_id = @Id AND status = 'queued'",
                new { Id = id, Now = now }, uow.Transaction, cancellationToken: ct));
        }
        if (updated.Interests != current.Interests || !updated.Threshold.Equals(current.Threshold))
        {
            await outbox.AddAsync(uow, new SubscriberUpdated
            {
                SubscriberId = id, Interests = updated.Interests, Threshold = updated.Threshold, UpdatedAt = now,
            }, ct);
        }
        await uow.CommitAsync(ct);
        return updated;
    }

    /// <summary>
    /// Unsubscribes (<see cref="Subscriber.Unsubscribed"/>) or deletes (<see cref="Subscriber.Deleted"/>: contact data
    /// and interests are erased) an active subscriber: what is still pending for them is skipped and
    /// <see cref="SubscriberRemoved"/> is published. False when they were not active (nothing changes).
    /// </summary>
    public async Task<bool> RemoveAsync(Guid id, string status, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        await using var uow = await database.BeginAsync(ct);
        var changed = await uow.Connection.ExecuteAsync(new CommandDefinition(
            status == Subscriber.Deleted
                ? "UPDATE subscribers SET status = @Status, updated_at = @Now, email = NULL, webhook_url = NULL, interests = '' WHERE id = @Id AND status = 'active'"
                : "UPDATE subscribers SET status = @Status, updated_at = @Now WHERE id = @Id AND status = 'active'",
            new { Id = id, Status = status, Now = now }, uow.Transaction, cancellationToken: ct));
        if (changed == 0)
            return false;
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "UPDATE deliveries SET status = 'skipped', last_error = @Status, completed_at = @Now WHERE subscriber_id = @Id AND status IN ('pending', 'queued')",
            new { Id = id, Status = status, Now = now }, uow.Transaction, cancellationToken: ct));
        await outbox.AddAsync(uow, new SubscriberRemoved { SubscriberId = id, RemovedAt = now }, ct);
        await uow.CommitAsync(ct);
        return true;
    }

    public async Task<Subscriber?> FindAsync(Guid id, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.QuerySingleOrDefaultAsync<Subscriber>(new CommandDefinition($"{Select} WHERE id = @Id", new { Id = id }, cancellationToken: ct));
    }

    public async Task<IReadOnlyDictionary<Guid, Subscriber>> FindActiveAsync(IEnumerable<Guid> ids, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Subscriber>(new CommandDefinition(
            $"{Select} WHERE status = 'active' AND id IN @Ids", new { Ids = ids.Select(i => i.ToString("D")).ToArray() }, cancellationToken: ct));
        return rows.ToDictionary(s => s.Id);
    }

    /// <summary>Active subscribers with a digest mode and an email address.</summary>
    public async Task<IReadOnlyList<Subscriber>> DigestSubscribersAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Subscriber>(new CommandDefinition(
            $"{Select} WHERE status = 'active' AND mode IN ('daily', 'weekly') AND email IS NOT NULL", cancellationToken: ct));
        return rows.AsList();
    }

    private static Subscriber Apply(Subscriber s, ValidatedSubscriber r, DateTimeOffset now) => s with
    {
        Email = r.Email,
        WebhookUrl = r.WebhookUrl,
        Interests = r.Interests,
        Threshold = r.Threshold,
        UpdatedAt = now,
        Mode = r.Mode,
        TimeZone = r.TimeZone,
        DigestTime = r.DigestTime,
        DigestDay = r.DigestDay,
        QuietStart = r.QuietStart,
        QuietEnd = r.QuietEnd,
        MaxPerDay = r.MaxPerDay,
        ExcludedTopics = JsonSerializer.Serialize(r.ExcludedTopics),
    };
}
