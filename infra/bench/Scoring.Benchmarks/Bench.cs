using System.Diagnostics;
using System.Globalization;
using Platform.Scoring.Models;
using Platform.Scoring.Rewards;
using Platform.Scoring.Torch;
using static TorchSharp.torch;

namespace Scoring.Benchmarks;

/// <summary>
/// <c>bench [--subscribers 100000,1000000] [--listings 1024] [--storage float32,bfloat16] [--repeats 3]</c>: batched
/// scoring (threshold + top-100 per listing) vs a plain matrix product of the same shape, each configuration in its
/// own process so that peak memory (VmHWM) is its own; then feedback-training throughput.
/// </summary>
public static class Bench
{
    private const int Dimension = 384;

    public static int Run(IReadOnlyDictionary<string, string> options)
    {
        var subscribers = (options.GetValueOrDefault("subscribers") ?? "100000,1000000").Split(',').Select(int.Parse).ToList();
        var storages = (options.GetValueOrDefault("storage") ?? "float32,bfloat16").Split(',');
        var listings = options.GetValueOrDefault("listings") ?? "1024";
        var repeats = options.GetValueOrDefault("repeats") ?? "3";
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}; TorchSharp CPU");
        Console.WriteLine("| subscribers | storage | index memory | batched scoring (s) | GFLOP/s | plain matmul (s) | GFLOP/s | share | peak RSS |");
        Console.WriteLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var n in subscribers)
        foreach (var storage in storages)
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { RedirectStandardOutput = true };
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath!) == "dotnet")
                start.ArgumentList.Add(typeof(Bench).Assembly.Location);
            foreach (var a in new[] { "bench-one", "--n", n.ToString(CultureInfo.InvariantCulture), "--storage", storage, "--listings", listings, "--repeats", repeats })
                start.ArgumentList.Add(a);
            using var child = Process.Start(start)!;
            var line = child.StandardOutput.ReadToEnd().Trim().Split('\n').Last();
            child.WaitForExit();
            Console.WriteLine(line);
        }

        TrainingThroughput();
        return 0;
    }

    public static int RunOne(IReadOnlyDictionary<string, string> options)
    {
        TorchRuntime.EnsureLoaded();
        var n = int.Parse(options["n"], CultureInfo.InvariantCulture);
        var batch = int.Parse(options.GetValueOrDefault("listings") ?? "1024", CultureInfo.InvariantCulture);
        var repeats = int.Parse(options.GetValueOrDefault("repeats") ?? "3", CultureInfo.InvariantCulture);
        var storage = options["storage"] switch { "bfloat16" => ScalarType.BFloat16, "float16" => ScalarType.Float16, _ => ScalarType.Float32 };
        manual_seed(1);
        using var index = new SubscriberVectorIndex(Dimension, CPU, storage, capacity: n);
        const int fill = 100_000;
        for (var start = 0; start < n; start += fill)
        {
            using var scope = NewDisposeScope();
            var rows = Math.Min(fill, n - start);
            var block = randn(rows, Dimension);
            block = block / block.norm(1, keepdim: true);
            index.AddRange([.. Enumerable.Range(0, rows).Select(_ => Guid.NewGuid())], block);
        }

        using var listingScope = NewDisposeScope();
        var listings = randn(batch, Dimension);
        listings = listings / listings.norm(1, keepdim: true);
        index.ScoreBatch(listings.narrow(0, 0, 8), 0.3f, 100); // warm-up
        var batched = Time(repeats, () => index.ScoreBatch(listings, 0.3f, 100));

        // Plain TorchSharp product of the same shape (float32, no threshold or top-k), in the same chunks when the
        // full n × batch score matrix would not fit comfortably.
        var plainMatrix = randn(Math.Min(n, index.ChunkRows), Dimension);
        var queries = listings.t().contiguous();
        var plain = Time(repeats, () =>
        {
            for (var start = 0; start < n; start += index.ChunkRows)
            {
                using var s = NewDisposeScope();
                var rows = Math.Min(index.ChunkRows, n - start);
                _ = plainMatrix.narrow(0, 0, rows).matmul(queries);
            }
        });
        double flops = 2.0 * n * Dimension * batch;
        var indexBytes = (double)n * Dimension * (storage == ScalarType.Float32 ? 4 : 2);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"| {n:N0} | {options["storage"]} | {indexBytes / 1e9:F3} GB | {batched:F3} | {flops / batched / 1e9:F0} | {plain:F3} | {flops / plain / 1e9:F0} | {plain / batched:P0} | {PeakRssGb():F2} GB |"));
        return 0;
    }

    private static void TrainingThroughput()
    {
        TorchRuntime.EnsureLoaded();
        var random = new Random(3);
        float[] Unit() => PreferenceLearner.Unit([.. Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() - 0.5))]);
        const int subscribers = 40, events = 50;
        var work = Enumerable.Range(0, subscribers)
            .Select(_ => (Interest: Unit(), Feedback: Enumerable.Range(0, events).Select(e => new LabelledListing(Unit(), e % 2 == 0)).ToList())).ToList();
        Console.WriteLine();
        var watch = new Stopwatch();
        // The service's default model (Centroid) and the logistic one it replaced (full-batch Adam, 100 steps).
        foreach (var method in Enum.GetValues<PreferenceMethod>())
        {
            var training = new PreferenceTrainingOptions { Method = method };
            PreferenceLearner.TrainConfigured(work[0].Interest, work[0].Feedback, [], training);
            watch.Restart();
            foreach (var (interest, feedback) in work)
                PreferenceLearner.TrainConfigured(interest, feedback, [], training);
            var perSubscriber = watch.Elapsed.TotalSeconds / subscribers;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"preference training ({method}): {subscribers} subscribers × {events} events: {perSubscriber * 1000:F2} ms per subscriber, {events / perSubscriber:F0} events/s"));
        }

        var listings = Enumerable.Range(0, 2000).Select(i => new ListingFeedback(Unit(), i % 3, 1)).ToList();
        watch.Restart();
        using var net = QualityModel.Fit(listings, new QualityTrainingOptions())!;
        var seconds = watch.Elapsed.TotalSeconds;
        var options = new QualityTrainingOptions();
        var epochs = Math.Clamp(options.MaxUpdates / listings.Count, 3, options.Epochs);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"quality training: {listings.Count} listings × {epochs} epochs (mini-batches of {options.BatchSize}): {seconds:F1} s, {listings.Count * epochs / seconds:F0} examples/s"));
    }

    private static double Time(int repeats, Action action)
    {
        var best = double.MaxValue;
        for (var i = 0; i < repeats; i++)
        {
            var watch = Stopwatch.StartNew();
            action();
            best = Math.Min(best, watch.Elapsed.TotalSeconds);
        }

        return best;
    }

    private static double PeakRssGb()
    {
        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? double.NaN : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1e6 * 1.024;
    }
}
