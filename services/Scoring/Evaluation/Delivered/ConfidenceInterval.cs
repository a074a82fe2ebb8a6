namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>A mean with its two-sided 95 % Student-t interval over independent values (n − 1 degrees of freedom).</summary>
public readonly record struct ConfidenceInterval(double Mean, double Low, double High, int Count)
{
    public bool ExcludesZero => Low > 0 || High < 0;

    public static ConfidenceInterval Of(IReadOnlyList<double> values)
    {
        var n = values.Count;
        if (n == 0)
            return new(double.NaN, double.NaN, double.NaN, 0);
        var mean = values.Average();
        if (n == 1)
            return new(mean, double.NaN, double.NaN, 1);
        var variance = values.Sum(v => (v - mean) * (v - mean)) / (n - 1);
        var half = StudentT.Quantile(0.975, n - 1) * Math.Sqrt(variance / n);
        return new(mean, mean - half, mean + half, n);
    }
}

/// <summary>Student's t distribution: CDF through the regularised incomplete beta function, quantile by bisection.</summary>
public static class StudentT
{
    public static double Cdf(double t, double df)
    {
        var x = df / (df + t * t);
        var tail = 0.5 * IncompleteBeta(df / 2, 0.5, x);
        return t >= 0 ? 1 - tail : tail;
    }

    public static double Quantile(double p, double df)
    {
        if (!(p > 0 && p < 1) || !(df > 0))
            throw new ArgumentOutOfRangeException(nameof(p), $"p = {p}, df = {df}");
        double low = -1e4, high = 1e4;
        for (var i = 0; i < 200 && high - low > 1e-12; i++)
        {
            var mid = (low + high) / 2;
            if (Cdf(mid, df) < p)
                low = mid;
            else
                high = mid;
        }

        return (low + high) / 2;
    }

    /// <summary>I_x(a, b), by the continued fraction (Lentz's method) on the side where it converges fast.</summary>
    private static double IncompleteBeta(double a, double b, double x)
    {
        if (x <= 0)
            return 0;
        if (x >= 1)
            return 1;
        var front = Math.Exp(LogGamma(a + b) - LogGamma(a) - LogGamma(b) + a * Math.Log(x) + b * Math.Log(1 - x));
        return x < (a + 1) / (a + b + 2)
            ? front * ContinuedFraction(a, b, x) / a
            : 1 - front * ContinuedFraction(b, a, 1 - x) / b;
    }

    private static double ContinuedFraction(double a, double b, double x)
    {
        const double tiny = 1e-300;
        double c = 1, d = 1 - (a + b) * x / (a + 1);
        d = 1 / (Math.Abs(d) < tiny ? tiny : d);
        var f = d;
        for (var m = 1; m <= 500; m++)
        {
            var numerator = m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m));
            d = 1 / Nonzero(1 + numerator * d);
            c = Nonzero(1 + numerator / c);
            f *= c * d;
            numerator = -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1));
            d = 1 / Nonzero(1 + numerator * d);
            c = Nonzero(1 + numerator / c);
            var delta = c * d;
            f *= delta;
            if (Math.Abs(delta - 1) < 1e-15)
                break;
        }

        return f;

        static double Nonzero(double v) => Math.Abs(v) < tiny ? tiny : v;
    }

    /// <summary>ln Γ(x) for x &gt; 0 (Lanczos, g = 7, 9 terms; relative error ~1e-15).</summary>
    private static double LogGamma(double x)
    {
        double[] g = [0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
            12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7];
        if (x < 0.5)
            return Math.Log(Math.PI / Math.Abs(Math.Sin(Math.PI * x))) - LogGamma(1 - x);
        x -= 1;
        var sum = g[0];
        for (var i = 1; i < 9; i++)
            sum += g[i] / (x + i);
        var t = x + 7.5;
        return 0.5 * Math.Log(2 * Math.PI) + (x + 0.5) * Math.Log(t) - t + Math.Log(sum);
    }
}
