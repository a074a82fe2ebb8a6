using System.Collections.Concurrent;
using System.Globalization;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.Contracts;
using Platform.Scoring.Feedback;
using Platform.Scoring.Models;
using Platform.Scoring.Results;
using Platform.Scoring.Rewards;
using static TorchSharp.torch;

namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>
/// (d) What the service delivers: each round's subscribers in a <see cref="SubscriberVectorIndex"/> with the
/// preference direction the trainer would store for them (<see cref="PreferenceLearner"/>, service defaults; the
/// interest vector before any feedback); the global quality network trained as <see cref="FeedbackTrainer"/> trains it
/// — every subscriber's feedback pooled per listing (<see cref="QualityFeedback.Aggregate"/>), once
/// <see cref="QualityTrainingOptions.RetrainEvery"/> events have arrived, else neutral; each listing's novelty as the
/// service computed it when the stream brought it (<see cref="EvaluationContext.StreamNovelty"/>); and the test pool
/// scored in batches by <see cref="ListingScorer"/>, the consumer's own code. A candidate's score is the published
/// match score; a candidate the floor left out of the matches was not delivered and ranks below all delivered ones.
/// </summary>
/// <param name="qualityWeight">When set, every subscriber gets their own weights with this quality weight (the
/// per-subscriber weights path; 0 shows what the quality reward costs).</param>
public sealed class DeliveredMethod(string name = DeliveredEvaluation.Delivered, double? qualityWeight = null, string? description = null) : IRankingMethod
{
    /// <summary>The score of a candidate that was not delivered (below every possible published score).</summary>
    public const float NotDelivered = -1e6f;

    private const int BatchSize = 64; // the consumer's default batch (Scoring:Batch:MessageLimit)

    private readonly ConcurrentDictionary<(double Noise, int Feedback), Stats> _stats = new();

    public string Name => name;

    public string Description => description ?? "the service's path: ListingScorer on the index of the service's preference directions, the quality network trained on every "
        + "subscriber's pooled feedback, stream novelty, default reward weights and floor; not-delivered candidates rank last";

    public CandidateScorer Prepare(EvaluationRound round)
    {
        var settings = round.Context.Service;
        var protocol = round.Protocol;
        using var rewards = new RewardModels(Options.Create(settings), NullLogger<RewardModels>.Instance);
        using var index = new SubscriberVectorIndex(settings.Dimension, CPU);
        var ids = round.Subscribers.ToDictionary(s => s.Subscriber, s => SubscriberId(s.Subscriber));
        foreach (var s in round.Subscribers)
        {
            index.Upsert(ids[s.Subscriber], round.Feedback == 0 ? s.Interest : round.ServicePreference(s.Subscriber).Direction);
            if (qualityWeight is { } q)
                rewards.SetWeights(ids[s.Subscriber], q, settings.Rewards.Novelty);
        }

        // Feedback reaches the service subscriber by subscriber, event by event; the trainer pools all of it.
        var rows = Enumerable.Range(0, round.Feedback).SelectMany(e => round.Subscribers.Select(s =>
            new FeedbackRow(s.Liked[e] ? nameof(FeedbackKind.Like) : nameof(FeedbackKind.Dismiss), ListingId(s.Shown[e]), null))).ToList();
        if (rows.Count >= settings.Quality.RetrainEvery)
        {
            var stored = round.Subscribers.SelectMany(s => s.Shown).Distinct().ToDictionary(ListingId, i => round.Vectors[i]);
            rewards.Quality.Train(QualityFeedback.Aggregate(rows, stored), settings.Quality);
        }

        var scorer = new ListingScorer(settings, rewards);
        var scores = round.Subscribers.ToDictionary(s => s.Subscriber, _ => new Dictionary<int, float>());
        var stats = _stats.GetOrAdd((round.Noise, round.Feedback), _ => new Stats());
        var stream = protocol.TestPool.OrderBy(i => round.Context.StreamOrder[i]).ToArray();
        foreach (var batch in stream.Chunk(BatchSize))
        {
            var listings = batch.Select(i => Listing(i, round.Context.RawVectors[i], settings)).ToArray();
            var units = listings.Select(l => ListingScorer.Validate(l, settings)).Select(v => v.Failure is null ? v.Unit : throw v.Failure).ToArray();
            var results = scorer.Score(listings, units, index, rewards.Quality, [.. batch.Select(i => round.Context.StreamNovelty[i])], DateTimeOffset.UnixEpoch);
            for (var k = 0; k < batch.Length; k++)
            {
                var byId = results[k].Matches.ToDictionary(m => m.SubscriberId, m => m.Score);
                foreach (var s in round.Subscribers)
                    if (byId.TryGetValue(ids[s.Subscriber], out var score))
                        scores[s.Subscriber][batch[k]] = (float)score;
                stats.Add(results[k], round.Subscribers.Count, qualityWeight is { } w ? settings.Rewards with { Quality = w } : settings.Rewards);
            }
        }

        return (subscriber, candidates) => [.. candidates.Select(i => scores[subscriber].TryGetValue(i, out var s) ? s : NotDelivered)];
    }

    public IEnumerable<string> Notes => _stats.OrderBy(kv => kv.Key.Noise).ThenBy(kv => kv.Key.Feedback).Select(kv => string.Create(CultureInfo.InvariantCulture,
        $"{name}, ε = {kv.Key.Noise}, N = {kv.Key.Feedback}: quality reward at its ±{kv.Value.Cap} cap on {kv.Value.Share(kv.Value.AtCap):P0} of test listings "
        + $"(mean |shift| {kv.Value.MeanShift:F3}), novelty lowered {kv.Value.Share(kv.Value.Redundant):P1}, "
        + $"{kv.Value.BelowFloor / Math.Max(1.0, kv.Value.Pairs):P1} of subscriber × listing pairs below the floor"));

    public static Guid SubscriberId(int subscriber) => new(subscriber, 0x5b, 0, new byte[8]);

    public static Guid ListingId(int listing) => new(listing, 0x11, 0, new byte[8]);

    private static ListingEmbedded Listing(int i, float[] vector, ScoringOptions settings) => new()
    {
        ListingId = ListingId(i),
        Title = $"listing {i}",
        ModelId = settings.EmbeddingModelId,
        Dimension = vector.Length,
        Vector = vector,
        ContentHash = $"evaluation:{i}",
        EmbeddedAt = DateTimeOffset.UnixEpoch,
    };

    /// <summary>How often the global rewards moved scores in one (ε, N) cell, over all rounds.</summary>
    private sealed class Stats
    {
        private readonly Lock _gate = new();
        public double Cap { get; private set; }
        public long Listings { get; private set; }
        public long AtCap { get; private set; }
        public long Redundant { get; private set; }
        public long Pairs { get; private set; }
        public long BelowFloor { get; private set; }
        private double _shift;

        public double MeanShift => _shift / Math.Max(1, Listings);

        public double Share(long count) => (double)count / Math.Max(1, Listings);

        public void Add(ListingScored result, int subscribers, RewardWeights weights)
        {
            lock (_gate)
            {
                var q = result.GlobalRewards["quality"];
                var shift = Math.Abs(Math.Clamp(weights.Quality * (q - 0.5), -weights.QualityCap, weights.QualityCap));
                Cap = weights.QualityCap;
                Listings++;
                _shift += shift;
                AtCap += shift >= weights.QualityCap - 1e-9 ? 1 : 0;
                Redundant += weights.GlobalAdjustment(0.5, result.GlobalRewards["novelty"]) < 0 ? 1 : 0;
                Pairs += subscribers;
                BelowFloor += subscribers - result.Matches.Count;
            }
        }
    }
}
