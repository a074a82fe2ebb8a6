using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring.Feedback;
using Platform.Scoring.Rewards;

namespace Platform.Scoring.Subscribers;

/// <summary>Keeps each subscriber's preference vector, starting from the embedding of their interest statement.</summary>
public sealed class StoreInterestsConsumer(ScoringDatabase database, SubscriberIndex index, IOptions<ScoringOptions> options, FeedbackTrainer trainer, RewardModels rewards, TimeProvider clock)
    : IConsumer<SubscriberInterestsEmbedded>, IConsumer<SubscriberRemoved>
{
    public async Task Consume(ConsumeContext<SubscriberInterestsEmbedded> context)
    {
        var m = context.Message;
        EmbeddingModelGuard.Check(options.Value, m.ModelId, m.Vector.Length, $"subscriber {m.SubscriberId}");
        var vectors = await index.GetAsync(context.CancellationToken);

        await using var uow = await database.BeginAsync(context.CancellationToken);
        if (!await uow.TryClaimAsync(context, nameof(StoreInterestsConsumer)))
            return;
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR REPLACE INTO subscriber_vectors (subscriber_id, model_id, dimension, vector, updated_at)
            VALUES (@SubscriberId, @ModelId, @Dimension, @Vector, @UpdatedAt)
            """,
            new { m.SubscriberId, m.ModelId, m.Dimension, m.Vector, UpdatedAt = clock.GetUtcNow() },
            uow.Transaction, cancellationToken: context.CancellationToken));
        // New interests: start again from them, then retrain on the subscriber's feedback (if any) in the background.
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "DELETE FROM preference_vectors WHERE subscriber_id = @SubscriberId", new { m.SubscriberId }, uow.Transaction));
        uow.AfterCommit(() =>
        {
            vectors.Upsert(m.SubscriberId, m.Vector);
            rewards.SetCalibration(m.SubscriberId, null);
            trainer.Enqueue(m.SubscriberId);
        });
        await uow.CommitAsync(context.CancellationToken);
    }

    public async Task Consume(ConsumeContext<SubscriberRemoved> context)
    {
        var vectors = await index.GetAsync(context.CancellationToken);
        await using var uow = await database.BeginAsync(context.CancellationToken);
        if (!await uow.TryClaimAsync(context, nameof(StoreInterestsConsumer)))
            return;
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM subscriber_vectors WHERE subscriber_id = @SubscriberId;
            DELETE FROM preference_vectors WHERE subscriber_id = @SubscriberId;
            DELETE FROM feedback WHERE subscriber_id = @SubscriberId;
            DELETE FROM subscriber_reward_weights WHERE subscriber_id = @SubscriberId;
            """, new { context.Message.SubscriberId }, uow.Transaction));
        uow.AfterCommit(() =>
        {
            vectors.Remove(context.Message.SubscriberId);
            rewards.SetCalibration(context.Message.SubscriberId, null);
            rewards.SetWeights(context.Message.SubscriberId, null, null);
        });
        await uow.CommitAsync(context.CancellationToken);
    }
}
