using Platform.Scoring.Rewards;

namespace Platform.Scoring.Evaluation;

public sealed record UpvoteResult(string Method, double PairwiseAccuracy, double Spearman, double Ndcg5, int Days, int Listings);

/// <summary>
/// The global quality reward against upvotes: train on the earlier days, test within each later day (upvotes are an
/// early snapshot, comparable only within a day). Aggregate feedback for training is simulated from each listing's
/// percentile of upvotes within its day (that share of likes, the rest dismissals).
/// </summary>
public static class UpvoteEvaluation
{
    public static IReadOnlyList<UpvoteResult> Run(IReadOnlyList<EvalListing> listings, IReadOnlyList<float[]> vectors,
        double trainShare = 0.7, int minPerDay = 5, QualityTrainingOptions? quality = null, Action<string>? log = null)
    {
        var days = listings.Select(l => l.Date).Distinct().Order(StringComparer.Ordinal).ToList();
        var cutoff = days[Math.Clamp((int)(days.Count * trainShare), 1, days.Count - 1)];
        var train = Enumerable.Range(0, listings.Count).Where(i => string.CompareOrdinal(listings[i].Date, cutoff) < 0).ToList();
        var testDays = Enumerable.Range(0, listings.Count).Where(i => string.CompareOrdinal(listings[i].Date, cutoff) >= 0)
            .GroupBy(i => listings[i].Date).Where(g => g.Count() >= minPerDay).Select(g => g.ToArray()).ToList();
        var percentile = new double[listings.Count];
        foreach (var day in Enumerable.Range(0, listings.Count).GroupBy(i => listings[i].Date))
        {
            var members = day.ToArray();
            var up = members.Select(i => listings[i].Upvotes).ToArray();
            foreach (var i in members)
            {
                var below = up.Count(u => u < listings[i].Upvotes);
                var equal = up.Count(u => u == listings[i].Upvotes);
                percentile[i] = members.Length == 1 ? 0.5 : (below + 0.5 * (equal - 1)) / (members.Length - 1);
            }
        }

        log?.Invoke($"upvotes: split at {cutoff}: {train.Count} training listings, {testDays.Count} test days ({testDays.Sum(d => d.Length)} listings)");

        var scorers = new List<(string, Func<int, float>)>();
        var random = new Random(5);
        var randomScores = listings.Select(_ => (float)random.NextDouble()).ToArray();
        scorers.Add((PersonalEvaluation.Random, i => randomScores[i]));

        var tfidf = TfIdf.Fit(listings.Select(PersonalEvaluation.Text));
        var sparse = listings.Select(l => tfidf.Transform(PersonalEvaluation.Text(l))).ToArray();
        var (w, b) = LinearSvm.Train([.. train.Select(i => sparse[i])], [.. train.Select(i => percentile[i] > 0.5)], tfidf.Features);
        scorers.Add((PersonalEvaluation.TfIdfSvm, i => sparse[i].Dot(w) + b));

        var options = (quality ?? new QualityTrainingOptions()) with { LabelNoise = 0f };
        using var net = QualityModel.Fit([.. train.Select(i => new ListingFeedback(vectors[i], (float)percentile[i], (float)(1 - percentile[i])))], options, vectors[0].Length)
                        ?? throw new InvalidOperationException("Too few training listings for the quality model.");
        var predicted = QualityModel.PredictWith(net, vectors);
        scorers.Add(("quality reward (MLP)", i => predicted[i]));

        var results = new List<UpvoteResult>();
        foreach (var (name, score) in scorers)
        {
            var acc = new List<double>();
            var rho = new List<double>();
            var ndcg = new List<double>();
            foreach (var day in testDays)
            {
                var s = day.Select(score).ToArray();
                var up = day.Select(i => listings[i].Upvotes).ToArray();
                acc.Add(Metrics.PairwiseAccuracy(s, up));
                rho.Add(Metrics.Spearman([.. s.Select(v => (double)v)], up));
                ndcg.Add(Metrics.Ndcg(s, up, 5));
            }

            results.Add(new UpvoteResult(name, acc.Where(double.IsFinite).Average(), rho.Where(double.IsFinite).Average(),
                ndcg.Where(double.IsFinite).Average(), testDays.Count, testDays.Sum(d => d.Length)));
        }

        return results;
    }
}
