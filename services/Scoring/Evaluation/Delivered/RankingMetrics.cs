namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>The protocol's per-set metrics with binary relevance: NDCG@10 and pairwise accuracy (ties count half).</summary>
public static class RankingMetrics
{
    public static (double Ndcg10, double Pairwise) Measure(IReadOnlyList<float> scores, IReadOnlyList<bool> relevant)
    {
        var gains = relevant.Select(r => r ? 1.0 : 0.0).ToArray();
        return (Metrics.Ndcg(scores, gains, 10), Metrics.PairwiseAccuracy(scores, gains));
    }

    public static double Ndcg10(IReadOnlyList<float> scores, IReadOnlyList<bool> relevant) =>
        Metrics.Ndcg(scores, [.. relevant.Select(r => r ? 1.0 : 0.0)], 10);

    public static float[] Scores(IReadOnlyList<int> candidates, IReadOnlyList<float[]> vectors, float[] direction) =>
        [.. candidates.Select(i => (float)Rewards.PreferenceLearner.Dot(direction, vectors[i]))];
}
