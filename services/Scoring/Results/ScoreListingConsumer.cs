using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring.Rewards;
using Platform.Scoring.Subscribers;

namespace Platform.Scoring.Results;

/// <summary>
/// Scores an embedded listing against every subscriber at once and publishes the result: relevance from each
/// subscriber's preference vector (one matrix product on the device), global quality and novelty rewards, combined
/// with capped weights (<see cref="RewardWeights"/>). A shadow quality model, when set, is recorded but not published.
/// </summary>
public sealed class ScoreListingConsumer(
    ScoringDatabase database,
    SubscriberIndex index,
    RewardModels rewards,
    ScoredListingStore results,
    OutboxWriter<ScoringDatabase> outbox,
    IOptions<ScoringOptions> options,
    TimeProvider clock) : IConsumer<ListingEmbedded>
{
    public async Task Consume(ConsumeContext<ListingEmbedded> context)
    {
        var listing = context.Message;
        var settings = options.Value;
        EmbeddingModelGuard.Check(settings, listing.ModelId, listing.Vector.Length, $"listing {listing.ListingId}");

        var vectors = await index.GetAsync(context.CancellationToken);
        var unit = PreferenceLearner.Unit(listing.Vector);
        var novelty = rewards.Novelty.Novelty(unit);
        var scoredAt = clock.GetUtcNow();
        var scored = Score(listing, vectors, rewards.Quality, novelty, settings, scoredAt);
        var shadow = rewards.Shadow.IsTrained ? Score(listing, vectors, rewards.Shadow, novelty, settings, scoredAt) : null;

        await using var uow = await database.BeginAsync(context.CancellationToken);
        if (!await uow.TryClaimAsync(context, nameof(ScoreListingConsumer)))
            return;
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO listing_vectors (listing_id, vector, stored_at) VALUES (@ListingId, @unit, @scoredAt)",
            new { listing.ListingId, unit, scoredAt }, uow.Transaction, cancellationToken: context.CancellationToken));
        if (await results.TryAddAsync(uow, scored, context.CancellationToken))
        {
            await outbox.AddAsync(uow, scored, context.CancellationToken);
            uow.AfterCommit(() => rewards.Novelty.Add(unit));
        }

        if (shadow is not null && shadow.ModelVersion != scored.ModelVersion)
            await results.TryAddAsync(uow, shadow, context.CancellationToken);
        await uow.CommitAsync(context.CancellationToken);
    }

    private ListingScored Score(ListingEmbedded listing, Models.SubscriberVectorIndex vectors, QualityModel quality, float novelty,
        ScoringOptions settings, DateTimeOffset scoredAt)
    {
        var weights = settings.Rewards;
        var q = quality.Predict([listing.Vector])[0];
        // Per-subscriber weights move a score by at most the caps, so pre-filter on relevance with the largest possible
        // raise, then apply each subscriber's own combination and the floor exactly.
        var relevanceFloor = (float)((settings.MatchFloor - (rewards.HasOwnWeights ? weights.MaxRaise : weights.GlobalAdjustment(q, novelty)))
                                     / Math.Max(1e-9, weights.Relevance));
        var scores = vectors.ScoreAll(listing.Vector, relevanceFloor, settings.MaxMatches);
        var matches = scores
            .Select(s => (s.SubscriberId, Relevance: s.Score, Score: rewards.WeightsFor(s.SubscriberId).Combine(s.Score, q, novelty)))
            .Where(m => m.Score >= settings.MatchFloor)
            .OrderByDescending(m => m.Score)
            .ToList();
        return new ListingScored
        {
            ListingId = listing.ListingId,
            Title = listing.Title,
            Url = listing.Url,
            ModelVersion = RewardModels.VersionFor(quality),
            EmbeddingModelId = listing.ModelId,
            GlobalRewards = new Dictionary<string, double>
            {
                ["quality"] = Math.Round(q, 6),
                ["novelty"] = Math.Round(novelty, 6),
            },
            Matches = [.. matches.Select(m =>
            {
                var matchRewards = new Dictionary<string, double> { ["relevance"] = Math.Round(m.Relevance, 6) };
                if (rewards.LikeProbability(m.SubscriberId, m.Relevance) is { } p)
                    matchRewards["likeProbability"] = Math.Round(p, 6);
                return new SubscriberMatch { SubscriberId = m.SubscriberId, Score = Math.Round(m.Score, 6), Rewards = matchRewards };
            })],
            ScoredAt = scoredAt,
        };
    }
}
