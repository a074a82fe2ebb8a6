using System.Globalization;
using System.Text;
using Platform.Scoring.Evaluation.Delivered;
using static Platform.Scoring.Evaluation.Delivered.DeliveredEvaluation;

namespace Scoring.Benchmarks;

/// <summary>
/// The markdown report of <see cref="EvaluateDelivered"/>: per-N tables with 95 % intervals over units, paired
/// differences, a per-subscriber table and the subscribers worse than their own cold start.
/// </summary>
public static class DeliveredReport
{
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    /// <summary>Paired differences the report shows: (minuend, subtrahend).</summary>
    private static readonly (string A, string B)[] Differences =
    [
        (Delivered, Reference), (Delivered, ColdStart), (Learner, Reference), (Learner, ColdStart), (Reference, ColdStart),
        (Delivered, Learner), (Delivered, DeliveredOldQuality), (Learner, LogisticLearner),
    ];

    public static string Write(DeliveredEvaluationResult result, string file, string machine, string command, TimeSpan embedding, TimeSpan total)
    {
        var o = result.Options;
        var feedback = o.FeedbackCounts.Order().ToArray();
        var r = new StringBuilder();
        r.AppendLine(Inv, $"## What is delivered — issue #13 protocol on `{file}`");
        r.AppendLine();
        r.AppendLine(Inv, $"Machine: {machine}.");
        r.AppendLine();
        r.AppendLine("```bash");
        r.AppendLine(command);
        r.AppendLine("```");
        r.AppendLine();
        var perMethod = string.Join(", ", result.MethodTimes.Select(kv => string.Create(Inv, $"{kv.Key} {kv.Value.TotalSeconds:F1} s")));
        r.AppendLine(Inv, $"Took {total.TotalSeconds:F0} s ({embedding.TotalSeconds:F0} s reading and embedding, the rest the evaluation; per method: {perMethod}).");
        r.AppendLine();
        foreach (var line in result.Setup)
            r.AppendLine(Inv, $"- {line}");
        r.AppendLine(Inv, $"- {o.Seeds} seeds; feedback N = {string.Join(", ", feedback)} (prefixes of one stream of {feedback.Max()}); label noise ε = {string.Join(", ", o.LabelNoise)}.");
        r.AppendLine("- Methods, all on the same embeddings (MiniLmEncoder), subscribers, feedback and candidate sets:");
        foreach (var (name, description) in result.MethodDescriptions)
            r.AppendLine(Inv, $"  - **{name}**: {description}.");
        r.AppendLine(Inv, $"- Intervals: 95 % Student-t over the {result.Units.Count} subscriber × seed units, each the mean of its {o.SetsPerUnit} candidate sets; paired differences are t-intervals of the per-unit differences.");
        r.AppendLine();

        foreach (var noise in o.LabelNoise)
        {
            Table(r, result, noise, feedback, $"NDCG@10, ε = {noise}", c => c.UnitNdcg);
            Table(r, result, noise, feedback, $"Pairwise accuracy, ε = {noise}", c => c.UnitPairwise);
            PairedDifferences(r, result, noise, feedback);
        }

        PerSubscriber(r, result, o.LabelNoise[0], feedback);
        WorseThanColdStart(r, result, feedback);
        if (result.Notes.Count > 0)
        {
            r.AppendLine("### Notes from the methods");
            r.AppendLine();
            foreach (var note in result.Notes)
                r.AppendLine(Inv, $"- {note}");
            r.AppendLine();
        }

        return r.ToString();
    }

    private static void Table(StringBuilder r, DeliveredEvaluationResult result, double noise, int[] feedback, string title, Func<MethodCell, double[]> metric)
    {
        r.AppendLine(Inv, $"### {title}");
        r.AppendLine();
        r.AppendLine("| method | " + string.Join(" | ", feedback.Select(n => $"N = {n}")) + " |");
        r.AppendLine("|---|" + string.Concat(feedback.Select(_ => "---:|")));
        foreach (var method in result.Methods)
        {
            var cells = feedback.Select(n => Format(ConfidenceInterval.Of(metric(result.Cell(method, noise, n))), signed: false));
            var name = method == Delivered ? $"**{method}**" : method;
            r.AppendLine($"| {name} | " + string.Join(" | ", cells) + " |");
        }

        r.AppendLine();
    }

    private static void PairedDifferences(StringBuilder r, DeliveredEvaluationResult result, double noise, int[] feedback)
    {
        r.AppendLine(Inv, $"### Paired differences in NDCG@10, ε = {noise} (units where the first is lower)");
        r.AppendLine();
        r.AppendLine("| difference | " + string.Join(" | ", feedback.Select(n => $"N = {n}")) + " |");
        r.AppendLine("|---|" + string.Concat(feedback.Select(_ => "---:|")));
        foreach (var (a, b) in Differences.Where(d => result.Methods.Contains(d.A) && result.Methods.Contains(d.B)))
        {
            var cells = feedback.Select(n =>
            {
                var diff = Diff(result.Cell(a, noise, n).UnitNdcg, result.Cell(b, noise, n).UnitNdcg);
                return $"{Format(ConfidenceInterval.Of(diff), signed: true)} ({diff.Count(d => d < 0)}/{diff.Length})";
            });
            r.AppendLine($"| {a} − {b} | " + string.Join(" | ", cells) + " |");
        }

        r.AppendLine();
    }

    private static void PerSubscriber(StringBuilder r, DeliveredEvaluationResult result, double noise, int[] feedback)
    {
        var shown = new[] { ColdStart, Reference, Learner, Delivered }.Where(result.Methods.Contains).ToArray();
        r.AppendLine(Inv, $"### Per subscriber, NDCG@10, ε = {noise} (mean over {result.Options.Seeds} seeds × {result.Options.SetsPerUnit} sets)");
        r.AppendLine();
        r.AppendLine("| category | N | " + string.Join(" | ", shown) + $" | {Delivered} − {ColdStart} (95 % CI over seeds × sets) | {Delivered} − {Reference} |");
        r.AppendLine("|---|---:|" + string.Concat(shown.Select(_ => "---:|")) + "---:|---:|");
        foreach (var category in result.Units.Select(u => u.Category).Distinct())
        foreach (var n in feedback.Where(n => n > 0))
        {
            var means = shown.Select(m => Sets(result, m, noise, n, category).Average().ToString("F3", Inv));
            var vsCold = ConfidenceInterval.Of(Diff(Sets(result, Delivered, noise, n, category), Sets(result, ColdStart, noise, n, category)));
            var vsReference = ConfidenceInterval.Of(Diff(Sets(result, Delivered, noise, n, category), Sets(result, Reference, noise, n, category)));
            var flag = vsCold.High < 0 ? " **worse**" : "";
            r.AppendLine($"| {category} | {n} | " + string.Join(" | ", means) + $" | {Format(vsCold, signed: true)}{flag} | {Format(vsReference, signed: true)} |");
        }

        r.AppendLine();
    }

    private static void WorseThanColdStart(StringBuilder r, DeliveredEvaluationResult result, int[] feedback)
    {
        var o = result.Options;
        r.AppendLine("### Subscribers worse than their own cold start");
        r.AppendLine();
        r.AppendLine(Inv, $"Test: for each category and N > 0, the paired NDCG@10 difference method − cold start over that category's {o.Seeds} seeds × {o.SetsPerUnit} sets ({o.Seeds * o.SetsPerUnit} pairs); **worse** when its whole 95 % t-interval lies below 0.");
        r.AppendLine("(Sets of one seed share its feedback, so this interval is narrower than one over the seeds alone, shown in brackets after it: the stricter test, on purpose.)");
        r.AppendLine();
        foreach (var noise in o.LabelNoise)
        foreach (var method in result.Methods.Where(m => m != ColdStart))
        {
            var worse = new List<string>();
            foreach (var category in result.Units.Select(u => u.Category).Distinct())
            foreach (var n in feedback.Where(n => n > 0))
            {
                var sets = ConfidenceInterval.Of(Diff(Sets(result, method, noise, n, category), Sets(result, ColdStart, noise, n, category)));
                if (sets.High >= 0)
                    continue;
                var seeds = ConfidenceInterval.Of(Diff(Units(result, method, noise, n, category), Units(result, ColdStart, noise, n, category)));
                worse.Add($"{category} at N = {n}: {Format(sets, signed: true)} (seeds: [{seeds.Low:+0.000;−0.000}, {seeds.High:+0.000;−0.000}])");
            }

            var categories = worse.Select(w => w[..w.IndexOf(' ')]).Distinct().Count();
            var list = worse.Count == 0 ? "none" : string.Create(Inv, $"{categories} categor{(categories == 1 ? "y" : "ies")} — {string.Join("; ", worse)}");
            r.AppendLine(Inv, $"- **{method}**, ε = {noise}: {list}");
        }

        r.AppendLine();
    }

    /// <summary>The per-set metric of one method for one category at (ε, N), over all its seeds.</summary>
    private static double[] Sets(DeliveredEvaluationResult result, string method, double noise, int n, string category)
    {
        var cell = result.Cell(method, noise, n);
        return [.. result.Units.Select((u, i) => (u, i)).Where(x => x.u.Category == category).SelectMany(x => cell.Ndcg[x.i])];
    }

    private static double[] Units(DeliveredEvaluationResult result, string method, double noise, int n, string category)
    {
        var cell = result.Cell(method, noise, n).UnitNdcg;
        return [.. result.Units.Select((u, i) => (u, i)).Where(x => x.u.Category == category).Select(x => cell[x.i])];
    }

    private static double[] Diff(double[] a, double[] b) => [.. a.Select((v, i) => v - b[i])];

    private static string Format(ConfidenceInterval ci, bool signed)
    {
        var f = signed ? "+0.000;−0.000;0.000" : "0.000";
        return double.IsNaN(ci.Low)
            ? ci.Mean.ToString(f, Inv)
            : $"{ci.Mean.ToString(f, Inv)} [{ci.Low.ToString(f, Inv)}, {ci.High.ToString(f, Inv)}]";
    }
}
