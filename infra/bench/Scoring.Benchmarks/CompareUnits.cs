using System.Globalization;
using Platform.Scoring.Evaluation.Delivered;

namespace Scoring.Benchmarks;

/// <summary>
/// <c>compare --a dir --b dir [--methods delivered,reference,cold start]</c>: two <c>evaluate --protocol issue13</c>
/// runs over the same units, events and candidate sets (e.g. fp32 and int8 vectors), paired unit by unit: the mean
/// NDCG@10 of each and the 95 % t-interval of b − a, per method, ε and N.
/// </summary>
public static class CompareUnits
{
    private const string FileName = "units-issue13.csv";

    public static int Run(IReadOnlyDictionary<string, string> options)
    {
        var (a, b) = (Load(Path.Combine(options["a"], FileName)), Load(Path.Combine(options["b"], FileName)));
        var methods = (options.GetValueOrDefault("methods") ?? "delivered,reference,cold start").Split(',');
        Console.WriteLine($"b = {options["b"]} against a = {options["a"]}: NDCG@10, paired over units");
        Console.WriteLine("| method | ε | N | a | b | b − a [95 % t] |");
        Console.WriteLine("|---|---:|---:|---:|---:|---|");
        foreach (var cell in a.Keys.Select(k => (k.Method, k.Noise, k.Feedback)).Distinct()
                     .Where(c => methods.Contains(c.Method) && c.Feedback > 0)
                     .OrderBy(c => Array.IndexOf(methods, c.Method)).ThenBy(c => c.Noise).ThenBy(c => c.Feedback))
        {
            var units = a.Keys.Where(k => (k.Method, k.Noise, k.Feedback) == cell && b.ContainsKey(k)).ToList();
            var difference = ConfidenceInterval.Of([.. units.Select(k => b[k] - a[k])]);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"| {cell.Method} | {cell.Noise} | {cell.Feedback} | {units.Average(k => a[k]):F3} | {units.Average(k => b[k]):F3} | {Signed(difference.Mean)} [{Signed(difference.Low)}, {Signed(difference.High)}] ({units.Count} units) |"));
        }
        return 0;
    }

    private static string Signed(double value) => Math.Round(value, 3) switch
    {
        0 => "0.000",
        var v => v.ToString("+0.000;−0.000", CultureInfo.InvariantCulture),
    };

    private static Dictionary<(string Method, double Noise, int Feedback, int Seed, string Category), double> Load(string path) =>
        File.ReadLines(path).Skip(1).Select(line =>
        {
            var close = line.IndexOf("\",", StringComparison.Ordinal); // the method name is quoted: it may hold commas
            var rest = line[(close + 2)..].Split(',');
            var inv = CultureInfo.InvariantCulture;
            return (Key: (line[1..close], double.Parse(rest[0], inv), int.Parse(rest[1], inv), int.Parse(rest[2], inv), rest[3]), Ndcg: double.Parse(rest[4], inv));
        }).ToDictionary(x => x.Key, x => x.Ndcg);
}
