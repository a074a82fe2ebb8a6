using Platform.Scoring;
using Platform.Scoring.Evaluation;
using Platform.Scoring.Evaluation.Delivered;
using Scoring.Tests.Rewards;

namespace Scoring.Tests.Evaluation;

/// <summary>
/// The issue #13 protocol on synthetic listings (topic clusters standing in for categories, 20 dates): the simulation
/// is what the protocol says, and the evaluation run end to end on real TorchSharp ranks methods as it should.
/// </summary>
public sealed class DeliveredEvaluationTests
{
    private static readonly string[] Categories = ["cs.IR", "cs.RO", "cs.SD", "cs.GR", "cs.CV"];

    private static readonly DeliveredEvaluationOptions Small = new()
    {
        Seeds = 2, SetsPerUnit = 4, SetSize = 60, FeedbackCounts = [0, 20], LabelNoise = [0.1], TuningSeeds = 1, TuningSets = 3,
    };

    private readonly Synthetic _data = new(61, topics: Categories.Length);
    private readonly List<EvalListing> _listings = [];
    private readonly List<float[]> _vectors = [];

    public DeliveredEvaluationTests()
    {
        var random = new Random(3);
        for (var i = 0; i < 1000; i++)
        {
            var topic = random.Next(Categories.Length);
            var categories = random.NextDouble() < 0.2 ? new[] { Categories[topic], Categories[(topic + 1) % Categories.Length] } : [Categories[topic]];
            _listings.Add(new EvalListing($"{i}", $"title {i}", "", categories, $"2025-01-{1 + i % 20:D2}", 0));
            _vectors.Add(_data.Listing(topic));
        }
    }

    /// <summary>Each interest sentence embeds 60 % of the way towards the next topic: feedback has something to correct.</summary>
    private float[][] EmbedInterests(IReadOnlyList<string> sentences) =>
    [
        .. sentences.Select(s => Array.FindIndex(Categories, c => ArxivCategoryNames.Names[c] == s))
            .Select(t => Synthetic.Mix(_data.Centroid(t), _data.Centroid((t + 1) % Categories.Length), 0.6f)),
    ];

    [Fact]
    public void Streams_alternate_relevant_and_uniform_draws_without_repeats_and_sets_hold_the_bounded_relevant_count()
    {
        var (feedbackPool, testPool) = Protocol.SplitByDates(_listings, [.. Enumerable.Range(0, _listings.Count)]);
        Assert.True(string.CompareOrdinal(feedbackPool.Max(i => _listings[i].Date), testPool.Min(i => _listings[i].Date)) < 0);
        Assert.Equal(10, feedbackPool.Select(i => _listings[i].Date).Distinct().Count());
        var subscribers = Protocol.SelectSubscribers(_listings, feedbackPool, testPool, 40, Small.ExcludedCategories);
        Assert.Equal(["cs.GR", "cs.IR", "cs.RO", "cs.SD"], subscribers.Select(s => s.Category)); // cs.CV excluded

        Protocol Build() => Protocol.Build(_listings, feedbackPool, testPool, subscribers, EmbedInterests([.. subscribers.Select(s => s.Interest)]),
            seeds: 3, sets: 5, seedBase: 0, events: 30, Small);
        var protocol = Build();

        Assert.Equal(3 * subscribers.Count, protocol.Units.Count);
        foreach (var unit in protocol.Units)
        {
            Assert.Equal(30, unit.Shown.Distinct().Count());
            Assert.All(unit.Shown, i => Assert.Contains(i, feedbackPool));
            Assert.All(unit.Shown.Where((_, e) => e % 2 == 0), i => Assert.True(protocol.IsRelevant(unit.Subscriber, i)));
            Assert.Contains(unit.Shown.Where((_, e) => e % 2 == 1), i => !protocol.IsRelevant(unit.Subscriber, i)); // uniform draws are mostly irrelevant
            foreach (var set in unit.CandidateSets)
            {
                Assert.Equal(Small.SetSize, set.Distinct().Count());
                Assert.All(set, i => Assert.Contains(i, testPool));
                Assert.InRange(set.Count(i => protocol.IsRelevant(unit.Subscriber, i)), Small.MinRelevantInSet, Small.MaxRelevantInSet);
            }

            // Labels flipped at ε = 0.1 are flipped at ε = 0.3 too, and none at ε = 0.
            var flippedAtLow = Enumerable.Range(0, 30).Where(e => protocol.Liked(unit, e, 0.1) != protocol.IsRelevant(unit.Subscriber, unit.Shown[e]));
            Assert.All(flippedAtLow, e => Assert.NotEqual(protocol.IsRelevant(unit.Subscriber, unit.Shown[e]), protocol.Liked(unit, e, 0.3)));
            Assert.All(Enumerable.Range(0, 30), e => Assert.Equal(protocol.IsRelevant(unit.Subscriber, unit.Shown[e]), protocol.Liked(unit, e, 0)));
        }

        var again = Build();
        Assert.Equal(protocol.Units.SelectMany(u => u.Shown), again.Units.SelectMany(u => u.Shown));
        Assert.Equal(protocol.Units.SelectMany(u => u.CandidateSets.SelectMany(s => s)), again.Units.SelectMany(u => u.CandidateSets.SelectMany(s => s)));
        Assert.NotEqual(protocol.Units[0].Shown, protocol.Units[subscribers.Count].Shown); // another seed, another stream
    }

    [Fact]
    public void Without_feedback_every_method_ranks_as_cold_start_and_with_it_the_learners_beat_it()
    {
        var result = DeliveredEvaluation.Run(_listings, _vectors, EmbedInterests, Small);

        Assert.Equal(4 * Small.Seeds, result.Units.Count);
        var cold = result.Cell(DeliveredEvaluation.ColdStart, 0.1, 0);
        foreach (var method in result.Methods)
        {
            // The delivered path leaves negative cosines out (the floor), which moves pairwise accuracy but not the top 10.
            Assert.Equal(cold.Ndcg.SelectMany(s => s), result.Cell(method, 0.1, 0).Ndcg.SelectMany(s => s));
        }

        var coldNdcg = cold.UnitNdcg.Average();
        Assert.True(coldNdcg < 0.9, $"the misdirected interests leave room to learn: cold start NDCG@10 {coldNdcg:F3}");
        foreach (var method in new[] { DeliveredEvaluation.Reference, DeliveredEvaluation.Learner })
        {
            var after = result.Cell(method, 0.1, 20).UnitNdcg.Average();
            Assert.True(after > coldNdcg + 0.05, $"{method} after 20 events: {after:F3} vs cold start {coldNdcg:F3}");
        }

        Assert.Contains(result.Notes, n => n.StartsWith("reference, ε = 0.1, N = 20: λ = ", StringComparison.Ordinal));
        Assert.All(result.Cells.SelectMany(c => c.Ndcg.SelectMany(s => s)), v => Assert.InRange(v, 0, 1));
    }

    [Fact]
    public void Stream_novelty_compares_each_listing_with_the_window_before_it_batch_mates_included()
    {
        var x = Enumerable.Range(0, 4).Select(t => _data.Listing(t)).ToArray();
        // Stream: a b c d b' a' — b' repeats b two listings back (inside a window of 3), a' repeats a five back (outside).
        float[][] units = [x[0], x[1], x[2], x[3], x[1], x[0]];

        var novelty = StreamNovelty.Compute([0, 1, 2, 3, 4, 5], units, new ScoringOptions { NoveltyWindow = 3 }, batchSize: 2);

        Assert.Equal(1f, novelty[0]);
        Assert.True(novelty[4] < 1e-5, $"b' novelty {novelty[4]}");
        Assert.True(novelty[5] > 0.3, $"a' novelty {novelty[5]} (a left the window)");
        Assert.True(novelty[1] > 0.3 && novelty[3] > 0.3);
    }
}
