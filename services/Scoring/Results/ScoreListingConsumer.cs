using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring.Subscribers;

namespace Platform.Scoring.Results;

/// <summary>Scores an embedded listing against every subscriber at once and publishes the result.</summary>
public sealed class ScoreListingConsumer(
    ScoringDatabase database,
    SubscriberIndex index,
    ScoredListingStore results,
    OutboxWriter<ScoringDatabase> outbox,
    IOptions<ScoringOptions> options,
    TimeProvider clock) : IConsumer<ListingEmbedded>
{
    /// <summary>The walking-skeleton reward model: cosine relevance between listing and interest vectors.</summary>
    public const string ModelVersion = "relevance-cosine-v1";

    public async Task Consume(ConsumeContext<ListingEmbedded> context)
    {
        var listing = context.Message;
        var settings = options.Value;
        EmbeddingModelGuard.Check(settings, listing.ModelId, listing.Vector.Length, $"listing {listing.ListingId}");

        var vectors = await index.GetAsync(context.CancellationToken);
        var scores = vectors.ScoreAll(listing.Vector, settings.MatchFloor, settings.MaxMatches);
        var scored = new ListingScored
        {
            ListingId = listing.ListingId,
            Title = listing.Title,
            Url = listing.Url,
            ModelVersion = ModelVersion,
            EmbeddingModelId = listing.ModelId,
            Matches = [.. scores.Select(s => new SubscriberMatch
            {
                SubscriberId = s.SubscriberId,
                Score = Math.Round(s.Score, 6),
                Rewards = new Dictionary<string, double> { ["relevance"] = Math.Round(s.Score, 6) },
            })],
            ScoredAt = clock.GetUtcNow(),
        };

        await using var uow = await database.BeginAsync(context.CancellationToken);
        if (!await uow.TryClaimAsync(context, nameof(ScoreListingConsumer)))
            return;
        if (await results.TryAddAsync(uow, scored, context.CancellationToken))
            await outbox.AddAsync(uow, scored, context.CancellationToken);
        await uow.CommitAsync(context.CancellationToken);
    }
}
