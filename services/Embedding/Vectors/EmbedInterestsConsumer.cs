using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Embedding.Encoding;
using Platform.Messaging;

namespace Platform.Embedding.Vectors;

/// <summary>Embeds a subscriber's interest statement (their cold-start preference) whenever it is set or changed.</summary>
public sealed class EmbedInterestsConsumer(EmbeddingDatabase database, VectorStore vectors, OutboxWriter<EmbeddingDatabase> outbox, TimeProvider clock)
    : IConsumer<SubscriberRegistered>, IConsumer<SubscriberUpdated>, IConsumer<SubscriberRemoved>
{
    public Task Consume(ConsumeContext<SubscriberRegistered> context) => EmbedAsync(context, context.Message.SubscriberId, context.Message.Interests);

    public Task Consume(ConsumeContext<SubscriberUpdated> context) => EmbedAsync(context, context.Message.SubscriberId, context.Message.Interests);

    public async Task Consume(ConsumeContext<SubscriberRemoved> context)
    {
        await using var uow = await database.BeginAsync(context.CancellationToken);
        if (!await uow.TryClaimAsync(context, nameof(EmbedInterestsConsumer)))
            return;
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM subscriber_vectors WHERE subscriber_id = @SubscriberId", new { context.Message.SubscriberId }, uow.Transaction));
        await uow.CommitAsync(context.CancellationToken);
    }

    private async Task EmbedAsync(ConsumeContext context, Guid subscriberId, string interests)
    {
        var ct = context.CancellationToken;
        var embedded = await vectors.EmbedAsync(EmbeddingText.ForInterests(interests), ct);

        await using var uow = await database.BeginAsync(ct);
        if (!await uow.TryClaimAsync(context, nameof(EmbedInterestsConsumer)))
            return;
        await vectors.SaveAsync(uow, embedded, ct);
        var now = clock.GetUtcNow();
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR REPLACE INTO subscriber_vectors (subscriber_id, content_hash, embedded_at) VALUES (@SubscriberId, @ContentHash, @Now)",
            new { SubscriberId = subscriberId, embedded.ContentHash, Now = now }, uow.Transaction, cancellationToken: ct));
        await outbox.AddAsync(uow, new SubscriberInterestsEmbedded
        {
            SubscriberId = subscriberId,
            ModelId = embedded.ModelId,
            Dimension = embedded.Vector.Length,
            Vector = embedded.Vector,
            ContentHash = embedded.ContentHash,
            EmbeddedAt = now,
        }, ct);
        await uow.CommitAsync(ct);
    }
}
