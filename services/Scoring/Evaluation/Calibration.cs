namespace Platform.Scoring.Evaluation;

/// <summary>One bin of a reliability table: predictions in [<see cref="Lower"/>, <see cref="Upper"/>).</summary>
public sealed record ReliabilityBin(double Lower, double Upper, double MeanPredicted, double ObservedRate, int Count);

/// <summary>Expected calibration error, Brier score and the reliability table of a set of probability predictions.</summary>
public sealed record CalibrationReport(double Ece, double Brier, double MeanPredicted, double ObservedRate, int Count, IReadOnlyList<ReliabilityBin> Bins);

/// <summary>How well predicted probabilities match observed frequencies.</summary>
public static class Calibration
{
    /// <summary>
    /// Equal-width bins over [0, 1] (the last one closed). <paramref name="outcomes"/> are 0/1 labels, or the expected
    /// value of a label (e.g. the chance that a noisy label is a like); with such soft outcomes the Brier score is the
    /// expected one, E[(p − y)²] = (p − q)² + q(1 − q). ECE = Σ_b (n_b / n)·|mean predicted_b − observed rate_b|.
    /// </summary>
    public static CalibrationReport Measure(IReadOnlyList<double> predicted, IReadOnlyList<double> outcomes, int bins = 10)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(bins);
        if (predicted.Count != outcomes.Count)
            throw new ArgumentException($"{predicted.Count} predictions but {outcomes.Count} outcomes.", nameof(outcomes));
        var n = predicted.Count;
        var sumP = new double[bins];
        var sumY = new double[bins];
        var count = new int[bins];
        double brier = 0;
        for (var i = 0; i < n; i++)
        {
            var p = predicted[i];
            var q = outcomes[i];
            if (!(p >= 0 && p <= 1) || !(q >= 0 && q <= 1))
                throw new ArgumentOutOfRangeException(nameof(predicted), $"prediction {p} or outcome {q} at {i} is not in [0, 1]");
            var b = Math.Min((int)(p * bins), bins - 1);
            sumP[b] += p;
            sumY[b] += q;
            count[b]++;
            brier += (p - q) * (p - q) + q * (1 - q);
        }

        double ece = 0;
        var table = new ReliabilityBin[bins];
        for (var b = 0; b < bins; b++)
        {
            var meanP = count[b] == 0 ? double.NaN : sumP[b] / count[b];
            var rate = count[b] == 0 ? double.NaN : sumY[b] / count[b];
            if (count[b] > 0)
                ece += (double)count[b] / n * Math.Abs(meanP - rate);
            table[b] = new ReliabilityBin((double)b / bins, (double)(b + 1) / bins, meanP, rate, count[b]);
        }

        return n == 0
            ? new CalibrationReport(double.NaN, double.NaN, double.NaN, double.NaN, 0, table)
            : new CalibrationReport(ece, brier / n, sumP.Sum() / n, sumY.Sum() / n, n, table);
    }
}
