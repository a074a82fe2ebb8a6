using System.Security.Cryptography;
using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Messaging;

namespace Platform.Notification.Subscribers;

/// <summary>Subscribers and their settings; every change queues a subscriber event in the same transaction.</summary>
public sealed class SubscriberStore(NotificationDatabase database, OutboxWriter<NotificationDatabase> outbox, TimeProvider clock)
{
    private const string Select =
        "SELECT id, email, webhook_url, webhook_secret, interests, threshold, status, created_at, updated_at FROM subscribers";

    public async Task<Subscriber> RegisterAsync(ValidatedSubscriber request, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        var subscriber = new Subscriber
        {
            Id = NewId.NextGuid(),
            Email = request.Email,
            WebhookUrl = request.WebhookUrl,
            WebhookSecret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32)),
            Interests = request.Interests,
            Threshold = request.Threshold,
            CreatedAt = now,
            UpdatedAt = now,
        };
        await using var uow = await database.BeginAsync(ct);
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO subscribers (id, email, webhook_url, webhook_secret, interests, threshold, status, created_at, updated_at)
            VALUES (@Id, @Email, @WebhookUrl, @WebhookSecret, @Interests, @Threshold, @Status, @CreatedAt, @UpdatedAt)
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
}
