using System.Diagnostics;
using System.Globalization;
using System.Text;
using Platform.Embedding.Encoding;
using Platform.Scoring.Evaluation;

namespace Scoring.Benchmarks;

/// <summary>
/// <c>evaluate [--topics arxiv-topics-dev.jsonl] [--upvotes hf-upvotes-dev.jsonl] [--out dir] [--seeds 5] [--subscribers 40]</c>:
/// personal ranking with simulated subscribers and the global reward against upvotes, versus random and TF-IDF + linear
/// SVM; writes a markdown table and a ScottPlot PNG of NDCG@10 vs feedback count. <c>--protocol issue13</c> runs the
/// evaluation of what is delivered instead (<see cref="EvaluateDelivered"/>).
/// </summary>
public static class Evaluate
{
    public static int Run(IReadOnlyDictionary<string, string> options)
    {
        if (options.GetValueOrDefault("protocol") is { } protocol)
            return protocol == "issue13" ? EvaluateDelivered.Run(options) : throw new ArgumentException($"Unknown --protocol {protocol}: issue13, or leave it out for the original protocol.");
        var data = options.GetValueOrDefault("data") ?? Path.Combine("..", "shared", "data");
        var topicsPath = options.GetValueOrDefault("topics") ?? Path.Combine(data, "arxiv-topics-dev.jsonl");
        var upvotesPath = options.GetValueOrDefault("upvotes") ?? Path.Combine(data, "hf-upvotes-dev.jsonl");
        var outDir = options.GetValueOrDefault("out") ?? Path.Combine("artifacts", "evaluation");
        Directory.CreateDirectory(outDir);
        var cache = new EmbeddingCache(Cli.CacheDir(options));
        MiniLmEncoder NewEncoder() => new();
        float[][] Embed(IReadOnlyList<string> texts) => cache.Embed(texts, NewEncoder, Console.WriteLine);
        var watch = Stopwatch.StartNew();
        var report = new StringBuilder();
        var inv = CultureInfo.InvariantCulture;

        if (File.Exists(topicsPath))
        {
            var listings = EvalListing.ReadJsonl(topicsPath);
            if (options.TryGetValue("limit", out var limit))
                listings = [.. listings.Take(int.Parse(limit, inv))];
            var vectors = Embed([.. listings.Select(l => EmbeddingText.ForListing(l.Title, l.Abstract))]);
            var personalOptions = new PersonalEvaluationOptions
            {
                Seeds = int.Parse(options.GetValueOrDefault("seeds") ?? "5", inv),
                SubscribersPerSeed = int.Parse(options.GetValueOrDefault("subscribers") ?? "40", inv),
                LabelNoise = [.. (options.GetValueOrDefault("noise") ?? "0.1,0.3").Split(',').Select(v => double.Parse(v, inv))],
                Preference = new Platform.Scoring.Rewards.PreferenceTrainingOptions
                {
                    Scale = float.Parse(options.GetValueOrDefault("scale") ?? "10", inv),
                    PriorStrength = float.Parse(options.GetValueOrDefault("prior") ?? "10", inv),
                    LearningRate = float.Parse(options.GetValueOrDefault("lr") ?? "0.05", inv),
                    Steps = int.Parse(options.GetValueOrDefault("steps") ?? "100", inv),
                },
            };
            var evaluation = PersonalEvaluation.Run(listings, vectors, texts => Embed([.. texts.Select(EmbeddingText.ForInterests)]), personalOptions, Console.WriteLine);
            var results = evaluation.Ranking;
            report.AppendLine(CultureInfo.InvariantCulture, $"### Personal ranking — `{Path.GetFileName(topicsPath)}` ({listings.Count} listings, {results[0].Subscribers} simulated subscribers)");
            report.AppendLine();
            foreach (var noise in results.Select(r => r.Noise).Distinct())
            {
                report.AppendLine(CultureInfo.InvariantCulture, $"Label noise ε = {noise}:");
                report.AppendLine();
                report.AppendLine("| method | feedback | NDCG@10 | pairwise acc. | AUC |");
                report.AppendLine("|---|---:|---:|---:|---:|");
                foreach (var r in results.Where(r => r.Noise == noise).OrderBy(r => r.Method, StringComparer.Ordinal).ThenBy(r => r.Feedback))
                    report.AppendLine(CultureInfo.InvariantCulture, $"| {r.Method} | {r.Feedback} | {r.Ndcg10:F3} | {r.PairwiseAccuracy:F3} | {r.Auc:F3} |");
                report.AppendLine();
            }

            WriteCalibration(report, evaluation.Calibration);

            var plot = new ScottPlot.Plot();
            foreach (var method in results.Select(r => r.Method).Distinct())
            {
                var series = results.Where(r => r.Method == method && r.Noise == results[0].Noise).OrderBy(r => r.Feedback).ToList();
                var line = plot.Add.Scatter(series.Select(r => (double)r.Feedback).ToArray(), series.Select(r => r.Ndcg10).ToArray());
                line.LegendText = method;
            }

            plot.Title($"NDCG@10 vs feedback events (label noise {results[0].Noise})");
            plot.XLabel("feedback events per subscriber");
            plot.YLabel("NDCG@10 (pool of 200)");
            plot.ShowLegend(ScottPlot.Alignment.LowerRight);
            var png = Path.Combine(outDir, "ndcg-vs-feedback.png");
            plot.SavePng(png, 800, 500);
            Console.WriteLine($"chart: {png}");
        }

        if (File.Exists(upvotesPath))
        {
            var listings = EvalListing.ReadJsonl(upvotesPath);
            var vectors = Embed([.. listings.Select(l => EmbeddingText.ForListing(l.Title, l.Abstract))]);
            var quality = new Platform.Scoring.Rewards.QualityTrainingOptions();
            quality = quality with
            {
                HiddenSize = int.Parse(options.GetValueOrDefault("quality-hidden") ?? quality.HiddenSize.ToString(inv), inv),
                Epochs = int.Parse(options.GetValueOrDefault("quality-epochs") ?? quality.Epochs.ToString(inv), inv),
                MaxUpdates = int.Parse(options.GetValueOrDefault("quality-updates") ?? quality.MaxUpdates.ToString(inv), inv),
                WeightDecay = float.Parse(options.GetValueOrDefault("quality-decay") ?? quality.WeightDecay.ToString(inv), inv),
            };
            var results = UpvoteEvaluation.Run(listings, vectors, quality: quality, log: Console.WriteLine);
            report.AppendLine(CultureInfo.InvariantCulture, $"### Global reward vs upvotes — `{Path.GetFileName(upvotesPath)}` ({results[0].Days} test days, {results[0].Listings} listings)");
            report.AppendLine();
            report.AppendLine("| method | within-day pairwise acc. | within-day Spearman | NDCG@5 (gain = upvotes) |");
            report.AppendLine("|---|---:|---:|---:|");
            foreach (var r in results)
                report.AppendLine(CultureInfo.InvariantCulture, $"| {r.Method} | {r.PairwiseAccuracy:F3} | {r.Spearman:F3} | {r.Ndcg5:F3} |");
            report.AppendLine();
        }

        report.AppendLine(CultureInfo.InvariantCulture, $"Evaluation took {watch.Elapsed.TotalSeconds:F0} s on {Platform.ServiceDefaults.CpuFeatures.Current.Describe()}.");
        var md = Path.Combine(outDir, "evaluation.md");
        File.WriteAllText(md, report.ToString());
        Console.WriteLine(report);
        Console.WriteLine($"table: {md}");
        return 0;
    }

    private static void WriteCalibration(StringBuilder report, IReadOnlyList<CalibrationResult> calibration)
    {
        var inv = CultureInfo.InvariantCulture;
        report.AppendLine("#### Calibration of `likeProbability` (pool listings; 10 equal-width bins)");
        report.AppendLine();
        report.AppendLine("| method | ε | feedback | pairs | mean p | relevant rate | ECE vs relevance | Brier vs relevance | like rate (noisy) | ECE vs noisy label | Brier vs noisy label |");
        report.AppendLine("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var c in calibration.OrderBy(c => c.Noise).ThenBy(c => c.Method, StringComparer.Ordinal).ThenBy(c => c.Feedback))
            report.AppendLine(inv, $"| {c.Method} | {c.Noise} | {c.Feedback} | {c.Relevance.Count} | {c.Relevance.MeanPredicted:F3} | {c.Relevance.ObservedRate:F3} | {c.Relevance.Ece:F3} | {c.Relevance.Brier:F3} | {c.NoisyLabel.ObservedRate:F3} | {c.NoisyLabel.Ece:F3} | {c.NoisyLabel.Brier:F3} |");
        report.AppendLine();

        foreach (var group in calibration.GroupBy(c => (c.Method, c.Noise)).OrderBy(g => g.Key.Noise).ThenBy(g => g.Key.Method, StringComparer.Ordinal))
        {
            if (group.Key.Noise != calibration.Min(c => c.Noise))
                continue; // reliability tables at the lowest noise level only; the summary covers the others
            var byFeedback = group.OrderBy(c => c.Feedback).ToList();
            report.AppendLine(inv, $"Reliability (vs relevance) — {group.Key.Method}, ε = {group.Key.Noise}: mean predicted / observed rate (count)");
            report.AppendLine();
            report.AppendLine("| bin | " + string.Join(" | ", byFeedback.Select(c => $"after {c.Feedback}")) + " |");
            report.AppendLine("|---|" + string.Concat(byFeedback.Select(_ => "---:|")));
            for (var b = 0; b < byFeedback[0].Relevance.Bins.Count; b++)
            {
                var bin = byFeedback[0].Relevance.Bins[b];
                report.Append(inv, $"| {bin.Lower:F1}–{bin.Upper:F1} |");
                foreach (var c in byFeedback)
                {
                    var cell = c.Relevance.Bins[b];
                    report.Append(cell.Count == 0 ? " – (0) |" : string.Create(inv, $" {cell.MeanPredicted:F3} / {cell.ObservedRate:F3} ({cell.Count}) |"));
                }

                report.AppendLine();
            }

            report.AppendLine();
        }
    }
}
