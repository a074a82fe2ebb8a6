using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring;
using Platform.Scoring.Models;
using Platform.Scoring.Results;
using Platform.Scoring.Rewards;
using Platform.Scoring.Torch;
using Scoring.Tests.Rewards;
using Scoring.Tests.Service;
using static TorchSharp.torch;

namespace Scoring.Tests.Results;

/// <summary>
/// The scorer the consumer publishes from and the evaluation ranks with, on real TorchSharp models: what it refuses,
/// how relevance, quality and novelty combine per subscriber within the caps, and which subscribers the floor keeps.
/// Subscriber vectors are built at an exact cosine to the listing, so expected scores follow from the formula.
/// </summary>
public sealed class ListingScorerTests : IDisposable
{
    private const double Tolerance = 1e-5; // float32 products of unit vectors (~1e-7) plus the published 6-decimal rounding

    private readonly Synthetic _data = new(41);
    private readonly SubscriberVectorIndex _index;

    public ListingScorerTests()
    {
        TorchRuntime.EnsureLoaded();
        _index = new SubscriberVectorIndex(384, CPU);
    }

    public void Dispose()
    {
        _index.Dispose();
    }

    /// <summary>A deployment that gives the global quality reward a weight (the default is 0: it stays out of the way).</summary>
    private static readonly RewardWeights WithQuality = new() { Quality = 0.2 };

    [Fact]
    public void Validate_refuses_what_cannot_be_scored_and_returns_the_unit_vector()
    {
        var settings = new ScoringOptions();
        var x = _data.Listing(0);

        var (unit, failure) = ListingScorer.Validate(ScoringHost.Listing([.. x.Select(v => 3 * v)]), settings);
        Assert.Null(failure);
        Assert.Equal(1.0, Math.Sqrt(unit.Sum(v => (double)v * v)), 6);
        Assert.Equal(1.0, Synthetic.Dot(unit, x), 5);

        string Reason(ListingEmbedded listing)
        {
            var (refused, error) = ListingScorer.Validate(listing, settings);
            Assert.Empty(refused);
            return Assert.IsType<InvalidMessageException>(error).Message;
        }

        Assert.Contains("no vector", Reason(ScoringHost.Listing(x) with { Vector = null! }));
        var foreign = Reason(ScoringHost.Listing(x, modelId: "other-model@v9"));
        Assert.Contains("other-model@v9", foreign);
        Assert.Contains(settings.EmbeddingModelId, foreign);
        Assert.Contains("dimension 383", Reason(ScoringHost.Listing(x[..383])));
        Assert.Contains("not finite", Reason(ScoringHost.Listing([float.NaN, .. x[1..]])));
        Assert.Contains("non-zero", Reason(ScoringHost.Listing(new float[384])));
    }

    [Fact]
    public void Untrained_and_novel_the_score_is_the_relevance_best_first_above_the_floor_and_at_most_max_matches()
    {
        var settings = new ScoringOptions { MatchFloor = 0.2f, MaxMatches = 3 };
        using var rewards = Rewards(settings);
        var x = _data.Listing(0);
        var relevance = new[] { 0.1, 0.5, -0.2, 0.3, 0.25, 0.6, 0.19 };
        var ids = relevance.Select((r, i) => AddSubscriber(x, r, seed: i)).ToArray();

        var scored = Score(settings, rewards, rewards.Quality, [x], [1f]).Single();

        Assert.Equal("rewards-v1+untrained", scored.ModelVersion);
        Assert.Equal(0.5, scored.GlobalRewards["quality"]);
        Assert.Equal(1.0, scored.GlobalRewards["novelty"]);
        Assert.Equal([ids[5], ids[1], ids[3]], scored.Matches.Select(m => m.SubscriberId)); // 0.6, 0.5, 0.3; not 0.25 (max 3)
        foreach (var match in scored.Matches)
        {
            Assert.Equal(relevance[Array.IndexOf(ids, match.SubscriberId)], match.Score, Tolerance);
            Assert.Equal(match.Score, match.Rewards["relevance"], 6);
            Assert.False(match.Rewards.ContainsKey("likeProbability")); // nobody has given feedback
        }
    }

    [Fact]
    public void Quality_raises_or_lowers_and_a_near_duplicate_is_lowered_each_by_no_more_than_its_cap()
    {
        var settings = new ScoringOptions { MatchFloor = -1f, Rewards = WithQuality };
        using var rewards = Rewards(settings);
        var quality = TrainedQuality(rewards);
        var liked = _data.Listing(0);
        var disliked = _data.Listing(1);
        var onLiked = AddSubscriber(liked, 0.4, seed: 1);

        // The same liked listing twice: once novel, once 0.98-similar to a recent listing (redundancy 0.8 → 0.2·0.8 = 0.16, capped at 0.1).
        var results = Score(settings, rewards, quality, [liked, liked, disliked], [1f, 0.02f, 1f]);

        var q = results.Select(r => r.GlobalRewards["quality"]).ToArray();
        Assert.True(q[0] > 0.75 && q[2] < 0.25, $"the quality network learned the liked topic: {q[0]:F3} vs {q[2]:F3}"); // so the ±0.05 cap binds
        Assert.Equal(0.4 + 0.05, ScoreOf(results[0], onLiked), Tolerance);
        Assert.Equal(0.4 + 0.05 - 0.1, ScoreOf(results[1], onLiked), Tolerance);
        var relevanceToDisliked = results[2].Matches.Single(m => m.SubscriberId == onLiked).Rewards["relevance"];
        Assert.Equal(relevanceToDisliked - 0.05, ScoreOf(results[2], onLiked), Tolerance);
        Assert.Equal($"rewards-v1+{quality.Version}", results[0].ModelVersion);
    }

    [Fact]
    public void Own_weights_apply_to_their_subscriber_only_and_the_floor_is_applied_after_them()
    {
        var settings = new ScoringOptions { MatchFloor = 0.3f, Rewards = WithQuality };
        using var rewards = Rewards(settings);
        var quality = TrainedQuality(rewards);
        var disliked = _data.Listing(1); // quality < 0.25: the default weights lower it by the full 0.05
        var lowered = AddSubscriber(disliked, 0.36, seed: 1);
        var droppedByDefault = AddSubscriber(disliked, 0.33, seed: 2);
        var ownWeights = AddSubscriber(disliked, 0.32, seed: 3);
        rewards.SetWeights(ownWeights, quality: 0, novelty: 0.2); // ignores quality: 0.32 stays above the floor

        var scored = Score(settings, rewards, quality, [disliked], [1f]).Single();

        Assert.True(scored.GlobalRewards["quality"] < 0.25, $"quality {scored.GlobalRewards["quality"]:F3}");
        // Had the relevance pre-filter used the listing's global adjustment (−0.05 → relevance ≥ 0.35), the subscriber
        // with their own weights would be missing; it must allow for the largest raise instead.
        Assert.Equal([ownWeights, lowered], scored.Matches.Select(m => m.SubscriberId));
        Assert.Equal(0.32, ScoreOf(scored, ownWeights), Tolerance);
        Assert.Equal(0.36 - 0.05, ScoreOf(scored, lowered), Tolerance);
        Assert.DoesNotContain(scored.Matches, m => m.SubscriberId == droppedByDefault);
    }

    [Fact]
    public void A_batch_holds_each_listing_to_its_own_floor_as_if_scored_alone()
    {
        var settings = new ScoringOptions { MatchFloor = 0.3f };
        using var rewards = Rewards(settings);
        var x = _data.Listing(2);
        var subscriber = AddSubscriber(x, 0.35, seed: 1);

        // Novel: 0.35 passes. Near-duplicate (−0.1): 0.25 does not, although the batch's pre-filter uses the lowest floor.
        var batch = Score(settings, rewards, rewards.Quality, [x, x], [1f, 0.02f]);
        var alone = new[] { Score(settings, rewards, rewards.Quality, [x], [1f])[0], Score(settings, rewards, rewards.Quality, [x], [0.02f])[0] };

        Assert.Equal(0.35, ScoreOf(batch[0], subscriber), Tolerance);
        Assert.Empty(batch[1].Matches);
        for (var k = 0; k < 2; k++)
            Assert.Equal(alone[k].Matches.Select(m => (m.SubscriberId, m.Score)), batch[k].Matches.Select(m => (m.SubscriberId, m.Score)));
    }

    [Fact]
    public void The_like_probability_is_published_from_the_subscribers_own_calibration()
    {
        var settings = new ScoringOptions();
        using var rewards = Rewards(settings);
        var x = _data.Listing(3);
        var calibrated = AddSubscriber(x, 0.5, seed: 1);
        var uncalibrated = AddSubscriber(x, 0.4, seed: 2);
        var preference = new PreferenceVector(x, Norm: 1.2f, Bias: -3f, Examples: 12);
        rewards.SetCalibration(calibrated, preference);

        var scored = Score(settings, rewards, rewards.Quality, [x], [1f]).Single();

        var match = scored.Matches.Single(m => m.SubscriberId == calibrated);
        Assert.Equal(preference.LikeProbability(match.Rewards["relevance"], settings.Preference.Scale), match.Rewards["likeProbability"], 6);
        Assert.False(scored.Matches.Single(m => m.SubscriberId == uncalibrated).Rewards.ContainsKey("likeProbability"));
    }

    private static RewardModels Rewards(ScoringOptions settings) => new(Options.Create(settings), NullLogger<RewardModels>.Instance);

    private ListingScored[] Score(ScoringOptions settings, RewardModels rewards, QualityModel quality, float[][] vectors, float[] novelty)
    {
        var listings = vectors.Select(v => ScoringHost.Listing(v)).ToArray();
        var units = listings.Select(l => ListingScorer.Validate(l, settings).Unit).ToArray();
        return new ListingScorer(settings, rewards).Score(listings, units, _index, quality, novelty, DateTimeOffset.UnixEpoch);
    }

    private static double ScoreOf(ListingScored scored, Guid subscriber) => scored.Matches.Single(m => m.SubscriberId == subscriber).Score;

    /// <summary>A quality network that learned "topic 0 is liked, topic 1 is not" from aggregate feedback.</summary>
    private QualityModel TrainedQuality(RewardModels rewards)
    {
        var feedback = Enumerable.Range(0, 60).Select(i => new ListingFeedback(_data.Listing(i % 2), i % 2 == 0 ? 3 : 0, i % 2 == 0 ? 0 : 3)).ToList();
        Assert.True(rewards.Quality.Train(feedback, new QualityTrainingOptions()));
        return rewards.Quality;
    }

    /// <summary>A subscriber whose vector has exactly cosine <paramref name="cosine"/> with <paramref name="listing"/>.</summary>
    private Guid AddSubscriber(float[] listing, double cosine, int seed)
    {
        var x = PreferenceLearner.Unit(listing);
        var random = new Random(seed);
        var y = Enumerable.Range(0, x.Length).Select(_ => random.NextDouble() - 0.5).ToArray();
        var along = y.Select((v, i) => v * x[i]).Sum();
        var orthogonal = PreferenceLearner.Unit([.. y.Select((v, i) => (float)(v - along * x[i]))]);
        var id = Guid.NewGuid();
        _index.Upsert(id, [.. x.Select((v, i) => (float)(cosine * v + Math.Sqrt(1 - cosine * cosine) * orthogonal[i]))]);
        return id;
    }
}
