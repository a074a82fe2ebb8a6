namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>One subscriber × seed unit of the evaluation.</summary>
public sealed record EvaluatedUnit(int Seed, string Category);

/// <summary>One method's per-set metrics at one noise level and feedback count, indexed [unit][set] like <see cref="DeliveredEvaluationResult.Units"/>.</summary>
public sealed record MethodCell(string Method, double Noise, int Feedback, double[][] Ndcg, double[][] Pairwise)
{
    /// <summary>Each unit's NDCG@10, the mean over its candidate sets.</summary>
    public double[] UnitNdcg => [.. Ndcg.Select(sets => sets.Average())];

    public double[] UnitPairwise => [.. Pairwise.Select(sets => sets.Average())];
}

/// <summary>Everything the report needs: the setup, each method's metrics per cell, timings and the methods' notes.</summary>
public sealed record DeliveredEvaluationResult(
    IReadOnlyList<string> Setup,
    IReadOnlyList<(string Name, string Description)> MethodDescriptions,
    IReadOnlyList<EvaluatedUnit> Units,
    IReadOnlyList<MethodCell> Cells,
    IReadOnlyDictionary<string, TimeSpan> MethodTimes,
    IReadOnlyList<string> Notes,
    DeliveredEvaluationOptions Options)
{
    public IReadOnlyList<string> Methods => [.. MethodDescriptions.Select(m => m.Name)];

    public MethodCell Cell(string method, double noise, int feedback) =>
        Cells.Single(c => c.Method == method && c.Noise == noise && c.Feedback == feedback);
}
