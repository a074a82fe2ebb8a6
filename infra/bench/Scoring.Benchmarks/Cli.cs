using System.Text.Json;
using Platform.Embedding.Encoding;

namespace Scoring.Benchmarks;

public static class Cli
{
    public static Task<int> RunAsync(string[] args)
    {
        var verb = args.Length > 0 ? args[0] : "help";
        var options = ParseOptions(args.Skip(1));
        switch (verb)
        {
            case "embed":
                var cache = new EmbeddingCache(CacheDir(options));
                foreach (var file in options.GetValueOrDefault("files", "").Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    var texts = File.ReadLines(file).Where(l => l.Length > 0).Select(l =>
                    {
                        using var doc = JsonDocument.Parse(l);
                        var root = doc.RootElement;
                        return EmbeddingText.ForListing(root.GetProperty("title").GetString() ?? "",
                            root.TryGetProperty("abstract", out var a) ? a.GetString() : null);
                    }).ToList();
                    cache.Embed(texts, () => new MiniLmEncoder(), Console.WriteLine);
                }

                return Task.FromResult(0);
            case "bench":
                return Task.FromResult(Bench.Run(options));
            case "bench-one":
                return Task.FromResult(Bench.RunOne(options));
            case "service":
                return ServiceBench.RunAsync(options);
            case "evaluate":
                return Task.FromResult(Evaluate.Run(options));
            case "compare":
                return Task.FromResult(CompareUnits.Run(options));
            default:
                Console.WriteLine("verbs: embed --files a.jsonl,b.jsonl | evaluate | compare --a dir --b dir | bench | service");
                return Task.FromResult(verb == "help" ? 0 : 2);
        }
    }

    public static string CacheDir(IReadOnlyDictionary<string, string> options) =>
        options.GetValueOrDefault("cache") ?? Path.Combine(
            Environment.GetEnvironmentVariable("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"),
            "platform", "eval-embeddings");

    public static Dictionary<string, string> ParseOptions(IEnumerable<string> args)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        string? key = null;
        foreach (var arg in args)
        {
            if (arg.StartsWith("--", StringComparison.Ordinal))
            {
                if (key is not null)
                    result[key] = "true";
                key = arg[2..];
            }
            else if (key is not null)
            {
                result[key] = arg;
                key = null;
            }
        }

        if (key is not null)
            result[key] = "true";
        return result;
    }
}
