namespace Platform.Scoring.Evaluation;

/// <summary>Ranking metrics with binary or graded relevance.</summary>
public static class Metrics
{
    /// <summary>NDCG@k of <paramref name="scores"/> against graded <paramref name="gains"/> (ties broken by index).</summary>
    public static double Ndcg(IReadOnlyList<float> scores, IReadOnlyList<double> gains, int k)
    {
        var order = Enumerable.Range(0, scores.Count).OrderByDescending(i => scores[i]).ThenBy(i => i).Take(k).ToList();
        var dcg = order.Select((i, rank) => gains[i] / Math.Log2(rank + 2)).Sum();
        var ideal = gains.OrderDescending().Take(k).Select((g, rank) => g / Math.Log2(rank + 2)).Sum();
        return ideal > 0 ? dcg / ideal : 0;
    }

    /// <summary>Area under the ROC curve (probability a positive outscores a negative; ties count half).</summary>
    public static double Auc(IReadOnlyList<float> scores, IReadOnlyList<bool> positive)
    {
        var order = Enumerable.Range(0, scores.Count).OrderBy(i => scores[i]).ToArray();
        double rankSum = 0;
        var positives = 0;
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && scores[order[end + 1]] == scores[order[start]])
                end++;
            var averageRank = (start + end) / 2.0 + 1;
            for (var j = start; j <= end; j++)
            {
                if (positive[order[j]])
                {
                    rankSum += averageRank;
                    positives++;
                }
            }

            start = end + 1;
        }

        var negatives = scores.Count - positives;
        if (positives == 0 || negatives == 0)
            return double.NaN;
        return (rankSum - positives * (positives + 1) / 2.0) / ((double)positives * negatives);
    }

    /// <summary>Share of pairs with different gains that the scores order correctly (ties count half); NaN without such pairs.</summary>
    public static double PairwiseAccuracy(IReadOnlyList<float> scores, IReadOnlyList<double> gains)
    {
        double correct = 0;
        long pairs = 0;
        for (var i = 0; i < scores.Count; i++)
        for (var j = i + 1; j < scores.Count; j++)
        {
            if (gains[i] == gains[j])
                continue;
            pairs++;
            var d = (scores[i] - scores[j]) * Math.Sign(gains[i] - gains[j]);
            correct += d > 0 ? 1 : d == 0 ? 0.5 : 0;
        }

        return pairs == 0 ? double.NaN : correct / pairs;
    }

    /// <summary>Spearman rank correlation (average ranks for ties).</summary>
    public static double Spearman(IReadOnlyList<double> a, IReadOnlyList<double> b)
    {
        var ra = Ranks(a);
        var rb = Ranks(b);
        var ma = ra.Average();
        var mb = rb.Average();
        double cov = 0, va = 0, vb = 0;
        for (var i = 0; i < ra.Length; i++)
        {
            cov += (ra[i] - ma) * (rb[i] - mb);
            va += (ra[i] - ma) * (ra[i] - ma);
            vb += (rb[i] - mb) * (rb[i] - mb);
        }

        return va == 0 || vb == 0 ? double.NaN : cov / Math.Sqrt(va * vb);
    }

    private static double[] Ranks(IReadOnlyList<double> values)
    {
        var order = Enumerable.Range(0, values.Count).OrderBy(i => values[i]).ToArray();
        var ranks = new double[values.Count];
        for (var start = 0; start < order.Length;)
        {
            var end = start;
            while (end + 1 < order.Length && values[order[end + 1]] == values[order[start]])
                end++;
            for (var j = start; j <= end; j++)
                ranks[order[j]] = (start + end) / 2.0;
            start = end + 1;
        }

        return ranks;
    }
}
