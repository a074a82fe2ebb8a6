using System.Diagnostics;
using System.Globalization;
using Platform.Embedding.Encoding;
using Platform.Scoring.Evaluation;
using Platform.Scoring.Evaluation.Delivered;

namespace Scoring.Benchmarks;

/// <summary>
/// <c>evaluate --protocol issue13 [--topics arxiv-topics-dev.jsonl] [--out dir] [--seeds 5] [--sets 20] [--noise 0.1,0.3]
/// [--feedback 0,5,20,50] [--tuning-seeds 3] [--tuning-sets 10] [--limit N] [--cache dir] [--precision fp32|int8]
/// [--int8-range auto|full|reduced]</c>: what the service delivers
/// under the protocol of issue #13, against cold start, the tuned logistic-regression reference and the preference
/// learner alone; writes <c>evaluation-issue13.md</c> into <c>--out</c>.
/// </summary>
public static class EvaluateDelivered
{
    public static int Run(IReadOnlyDictionary<string, string> options)
    {
        var inv = CultureInfo.InvariantCulture;
        var machine = $"{Platform.ServiceDefaults.CpuFeatures.Current.Describe()}; {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, .NET {Environment.Version}";
        Console.WriteLine($"machine: {machine}");
        var data = options.GetValueOrDefault("data") ?? Path.Combine("..", "shared", "data");
        var topicsPath = options.GetValueOrDefault("topics") ?? Path.Combine(data, "arxiv-topics-dev.jsonl");
        var outDir = options.GetValueOrDefault("out") ?? Path.Combine("artifacts", "evaluation");
        Directory.CreateDirectory(outDir);
        var watch = Stopwatch.StartNew();

        var listings = EvalListing.ReadJsonl(topicsPath);
        if (options.TryGetValue("limit", out var limit))
            listings = [.. listings.Take(int.Parse(limit, inv))];
        var encoder = EvalEncoder.From(options);
        machine += $"; embeddings {encoder.ModelId}";
        var cache = encoder.Cache(Cli.CacheDir(options));
        float[][] Embed(IReadOnlyList<string> texts) => cache.Embed(texts, encoder.Create, Console.WriteLine);
        var vectors = Embed([.. listings.Select(l => EmbeddingText.ForListing(l.Title, l.Abstract))]);
        var embedded = watch.Elapsed;

        var defaults = new DeliveredEvaluationOptions();
        int[] Ints(string key, int[] fallback) => options.TryGetValue(key, out var v) ? [.. v.Split(',').Select(s => int.Parse(s, inv))] : fallback;
        var evaluationOptions = defaults with
        {
            Service = new Platform.Scoring.ScoringOptions { EmbeddingModelId = encoder.ModelId },
            Seeds = Ints("seeds", [defaults.Seeds])[0],
            SetsPerUnit = Ints("sets", [defaults.SetsPerUnit])[0],
            FeedbackCounts = Ints("feedback", defaults.FeedbackCounts),
            TuningSeeds = Ints("tuning-seeds", [defaults.TuningSeeds])[0],
            TuningSets = Ints("tuning-sets", [defaults.TuningSets])[0],
            LabelNoise = options.TryGetValue("noise", out var noise) ? [.. noise.Split(',').Select(s => double.Parse(s, inv))] : defaults.LabelNoise,
        };

        // Every tensor here is small: LibTorch's intra-op threads only contend (10× slower on a loaded 2-core machine).
        Platform.Scoring.Torch.TorchRuntime.EnsureLoaded();
        TorchSharp.torch.set_num_threads(1);
        var result = DeliveredEvaluation.Run(listings, vectors, texts => Embed([.. texts.Select(EmbeddingText.ForInterests)]), evaluationOptions, log: Console.WriteLine);
        var command = "Scoring.Benchmarks " + string.Join(' ', Environment.GetCommandLineArgs().Skip(1));
        var report = DeliveredReport.Write(result, Path.GetFileName(topicsPath), machine, command, embedded, watch.Elapsed);
        var md = Path.Combine(outDir, "evaluation-issue13.md");
        File.WriteAllText(md, report);
        // Every unit's metrics, so two runs (e.g. fp32 and int8 vectors: the same units, events and sets) can be paired.
        File.WriteAllLines(Path.Combine(outDir, "units-issue13.csv"), ["method,noise,feedback,seed,category,ndcg10,pairwise",
            .. result.Cells.SelectMany(c => result.Units.Select((u, i) => string.Create(inv,
                $"\"{c.Method}\",{c.Noise},{c.Feedback},{u.Seed},{u.Category},{c.UnitNdcg[i]:R},{c.UnitPairwise[i]:R}")))]);
        Console.WriteLine(report);
        Console.WriteLine($"report: {md}");
        return 0;
    }
}
