using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring.Models;
using Platform.Scoring.Rewards;
using static TorchSharp.torch;

namespace Platform.Scoring.Results;

/// <summary>
/// The scoring step of the service, with no I/O: checks a listing's vector, scores a batch of listings against every
/// subscriber (one <see cref="SubscriberVectorIndex.ScoreBatch"/> product), combines relevance with the global quality
/// and novelty rewards by each subscriber's <see cref="RewardWeights"/>, and keeps the matches at or above
/// <see cref="ScoringOptions.MatchFloor"/> (at most <see cref="ScoringOptions.MaxMatches"/>), best first. The
/// <c>listing-scored</c> results it returns are exactly what <see cref="ScoreListingConsumer"/> stores and publishes;
/// the evaluation (<c>Evaluation/Delivered</c>) calls it too, so "delivered" means the same thing in both.
/// </summary>
public sealed class ListingScorer(ScoringOptions settings, ISubscriberRewards subscribers)
{
    /// <summary>The listing's unit vector, or why it cannot be scored (an <see cref="InvalidMessageException"/>).</summary>
    public static (float[] Unit, Exception? Failure) Validate(ListingEmbedded listing, ScoringOptions settings)
    {
        try
        {
            if (listing.Vector is null)
                throw new InvalidMessageException($"Refused listing {listing.ListingId}: it has no vector.");
            EmbeddingModelGuard.Check(settings, listing.ModelId, listing.Vector.Length, $"listing {listing.ListingId}");
            if (listing.Vector.Any(v => !float.IsFinite(v)))
                throw new InvalidMessageException($"Refused the vector of listing {listing.ListingId}: it has values that are not finite numbers.");
            try
            {
                return (PreferenceLearner.Unit(listing.Vector), null);
            }
            catch (ArgumentException e)
            {
                throw new InvalidMessageException($"Refused the vector of listing {listing.ListingId}: {e.Message}");
            }
        }
        catch (InvalidMessageException e)
        {
            return ([], e);
        }
    }

    /// <summary>
    /// One result per listing. <paramref name="units"/> are the listings' unit vectors (from <see cref="Validate"/>),
    /// <paramref name="novelty"/> each listing's novelty reward (<see cref="NoveltyTracker.NoveltyOfBatch"/>), and
    /// <paramref name="quality"/> the quality network to score with (the active one, or a shadow).
    /// </summary>
    public ListingScored[] Score(IReadOnlyList<ListingEmbedded> listings, IReadOnlyList<float[]> units, SubscriberVectorIndex vectors,
        QualityModel quality, IReadOnlyList<float> novelty, DateTimeOffset scoredAt)
    {
        if (units.Count != listings.Count || novelty.Count != listings.Count)
            throw new ArgumentException($"{listings.Count} listings need as many unit vectors ({units.Count}) and novelty values ({novelty.Count}).");
        if (listings.Count == 0)
            return [];
        var weights = settings.Rewards;
        var q = quality.Predict([.. listings.Select(l => l.Vector)]);
        var modelVersion = RewardModels.VersionFor(quality);
        // Per-subscriber weights move a score by at most the caps, so pre-filter on relevance with the largest possible
        // raise, then apply each subscriber's own combination and the floor exactly. One product serves the batch, so
        // the device keeps the lowest of the listings' floors and each listing is held to its own below.
        var floors = listings.Select((_, k) => (float)((settings.MatchFloor - (subscribers.HasOwnWeights ? weights.MaxRaise : weights.GlobalAdjustment(q[k], novelty[k])))
                                                       / Math.Max(1e-9, weights.Relevance))).ToArray();
        IReadOnlyList<SubscriberScore>[] scores;
        using (NewDisposeScope())
        {
            var flat = units.SelectMany(u => u).ToArray();
            scores = vectors.ScoreBatch(tensor(flat, [units.Count, settings.Dimension], ScalarType.Float32), floors.Min(), Math.Max(1, settings.MaxMatches));
        }

        var scored = new ListingScored[listings.Count];
        for (var k = 0; k < listings.Count; k++)
        {
            var (listing, quality_k, novelty_k, floor) = (listings[k], q[k], novelty[k], floors[k]);
            var matches = scores[k]
                .Where(s => s.Score >= floor)
                .Take(settings.MaxMatches)
                .Select(s => (s.SubscriberId, Relevance: s.Score, Score: subscribers.WeightsFor(s.SubscriberId).Combine(s.Score, quality_k, novelty_k)))
                .Where(m => m.Score >= settings.MatchFloor)
                .OrderByDescending(m => m.Score)
                .ToList();
            scored[k] = new ListingScored
            {
                ListingId = listing.ListingId,
                Title = listing.Title,
                Url = listing.Url,
                ModelVersion = modelVersion,
                EmbeddingModelId = listing.ModelId,
                GlobalRewards = new Dictionary<string, double>
                {
                    ["quality"] = Math.Round(quality_k, 6),
                    ["novelty"] = Math.Round(novelty_k, 6),
                },
                Matches = [.. matches.Select(m =>
                {
                    var matchRewards = new Dictionary<string, double> { ["relevance"] = Math.Round(m.Relevance, 6) };
                    if (subscribers.LikeProbability(m.SubscriberId, m.Relevance) is { } p)
                        matchRewards["likeProbability"] = Math.Round(p, 6);
                    return new SubscriberMatch { SubscriberId = m.SubscriberId, Score = Math.Round(m.Score, 6), Rewards = matchRewards };
                })],
                ScoredAt = scoredAt,
            };
        }

        return scored;
    }
}
