using Platform.Scoring.Evaluation;
using Platform.Scoring.Rewards;

namespace Scoring.Tests.Rewards;

/// <summary>
/// The published like probability on synthetic traffic where the true probability of a like is known: a listing lies
/// between topic 0 and topic 1 and is liked with a probability that grows with its cosine with topic 1. Feedback comes from what a
/// recommender shows (half of it liked listings), while probabilities are published for all traffic (far fewer liked).
/// </summary>
public sealed class LikeCalibrationTests
{
    private const int Dimension = 384;

    private sealed class Traffic(int seed)
    {
        private readonly Random _random = new(seed);
        private readonly Synthetic _topics = new(seed);

        /// <summary>
        /// A listing somewhere between topic 0 and topic 1 (mostly nearer 0), liked with a probability that is logistic in
        /// its cosine with topic 1: the family the model calibrates, so a good fit can be told from a bad one.
        /// </summary>
        public (float[] Vector, double LikeProbability) Next()
        {
            var t = Math.Pow(_random.NextDouble(), 2);
            var noise = 0.9 / Math.Sqrt(Dimension);
            var mix = Synthetic.Mix(_topics.Centroid(0), _topics.Centroid(1), (float)t);
            var vector = PreferenceLearner.Unit([.. mix.Select(v => (float)(v + noise * Gaussian()))]);
            return (vector, 1 / (1 + Math.Exp(-8 * (Synthetic.Dot(vector, _topics.Centroid(1)) - 0.5))));
        }

        public bool Draw(double probability) => _random.NextDouble() < probability;

        public float[] Interest => _topics.Centroid(1);

        private double Gaussian() => Math.Sqrt(-2 * Math.Log(1 - _random.NextDouble())) * Math.Cos(2 * Math.PI * _random.NextDouble());
    }

    private static (List<LabelledListing> Feedback, List<float[]> Recent, List<(float[] Vector, double P)> Test) Scenario(int seed, int events, double noise)
    {
        var traffic = new Traffic(seed);
        var feedback = new List<LabelledListing>();
        while (feedback.Count < events)
        {
            var (vector, p) = traffic.Next();
            var liked = traffic.Draw(p);
            // Half of what is shown was picked because it is liked; the other half is plain traffic.
            if (feedback.Count % 2 == 0 && !liked)
                continue;
            feedback.Add(new LabelledListing(vector, liked ^ traffic.Draw(noise)));
        }

        var recent = Enumerable.Range(0, 1000).Select(_ => traffic.Next().Vector).ToList();
        var test = Enumerable.Range(0, 4000).Select(_ => traffic.Next()).ToList();
        return (feedback, recent, test);
    }

    private static CalibrationReport Measure(PreferenceVector model, List<(float[] Vector, double P)> test, float scale) =>
        Calibration.Measure(
            [.. test.Select(t => model.LikeProbability(Synthetic.Dot(model.Direction, t.Vector), scale))],
            [.. test.Select(t => t.P)]);

    [Fact]
    public void Among_listings_predicted_near_a_probability_about_that_share_is_liked()
    {
        var options = new PreferenceTrainingOptions();
        var (feedback, recent, test) = Scenario(seed: 41, events: 200, noise: options.LabelNoise);
        var trained = PreferenceLearner.Train(new Traffic(41).Interest, feedback, [], options);

        var calibrated = LikeCalibration.Calibrate(trained, feedback, recent, options);
        var before = Measure(trained, test, options.Scale);
        var after = Measure(calibrated, test, options.Scale);

        // The feedback's base rate is not the traffic's: uncorrected, the probabilities are too high.
        Assert.True(before.MeanPredicted > before.ObservedRate + 0.1, $"before: mean p {before.MeanPredicted:F3}, rate {before.ObservedRate:F3}");
        Assert.InRange(after.MeanPredicted, after.ObservedRate - 0.05, after.ObservedRate + 0.05);
        Assert.True(after.Ece < 0.05, $"ECE after calibration {after.Ece:F3} (before {before.Ece:F3}) " + string.Join("; ", after.Bins.Select(b => $"{b.MeanPredicted:F2}/{b.ObservedRate:F2}({b.Count})")) + " before " + string.Join("; ", before.Bins.Select(b => $"{b.MeanPredicted:F2}/{b.ObservedRate:F2}({b.Count})")));
        Assert.True(after.Brier < before.Brier, $"Brier {after.Brier:F4} vs {before.Brier:F4}");
        foreach (var bin in after.Bins.Where(b => b.Count >= 100))
            Assert.True(Math.Abs(bin.MeanPredicted - bin.ObservedRate) < 0.08,
                $"predicted {bin.MeanPredicted:F3}, liked {bin.ObservedRate:F3} ({bin.Count} listings in {bin.Lower:F1}–{bin.Upper:F1})");
        var high = after.Bins.Where(b => b.Lower is >= 0.7 and < 0.9).ToList();
        Assert.True(high.Sum(b => b.Count) >= 100, "enough listings predicted near 0.8 to judge");
        var observed = high.Sum(b => b.ObservedRate * b.Count) / high.Sum(b => b.Count);
        Assert.InRange(observed, 0.7, 0.9);
    }

    [Fact]
    public void Calibration_never_changes_the_ranking()
    {
        var options = new PreferenceTrainingOptions();
        var (feedback, recent, test) = Scenario(seed: 42, events: 20, noise: options.LabelNoise);
        var trained = PreferenceLearner.Train(new Traffic(42).Interest, feedback, [], options);
        var calibrated = LikeCalibration.Calibrate(trained, feedback, recent, options);
        var relevance = test.Select(t => Synthetic.Dot(trained.Direction, t.Vector)).Order().ToList();
        var probabilities = relevance.Select(r => calibrated.LikeProbability(r, options.Scale)).ToList();
        Assert.Equal(trained.Direction, calibrated.Direction);
        Assert.True(probabilities.Zip(probabilities.Skip(1)).All(p => p.First <= p.Second));
    }

    [Fact]
    public void Base_rate_is_recovered_by_EM_from_probabilities_calibrated_at_another_rate()
    {
        // Scores from a classifier calibrated where half the examples were positive, applied where 10 % are.
        var random = new Random(5);
        var probabilities = new List<double>();
        for (var i = 0; i < 20_000; i++)
        {
            var positive = random.NextDouble() < 0.1;
            var score = (positive ? 1.0 : -1.0) + Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble());
            probabilities.Add(1 / (1 + Math.Exp(-2 * score))); // exact posterior at a 50 % base rate for N(±1, 1)
        }

        Assert.Equal(0.1, LikeCalibration.EstimateBaseRate(probabilities, 0.5), 2);
    }
}
