namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>
/// The reference model: logistic regression on embeddings with an L2 pull toward the interest direction,
/// minimising Σᵢ log(1 + exp(−sᵢ(w·xᵢ + b))) + λ‖w − α·u₀‖² over w and the unpenalised bias b (sᵢ = ±1).
/// Exact and deterministic: with v = w − α·u₀ the loss sees v only through vᵢ = v·xᵢ, so the optimum v lies in the span
/// of the examples; in an orthonormal basis of that span (≤ N dimensions) Newton's method with a backtracking line
/// search solves the (N+1)-dimensional problem to a gradient of 1e-9. b carries a 1e-8 ridge only so that data with
/// a single class (optimal b at ±∞) still gives a finite answer; the ranking w·x does not depend on b.
/// </summary>
public static class PulledLogisticRegression
{
    private const double BiasRidge = 1e-8;

    /// <param name="x">Unit vectors of the labelled listings.</param>
    /// <param name="prior">The interest direction u₀ (unit).</param>
    public static (double[] W, double Bias) Fit(IReadOnlyList<float[]> x, IReadOnlyList<bool> liked, float[] prior, double lambda, double alpha) =>
        new Problem(x, liked, prior).Solve(lambda, alpha);

    /// <summary>One subscriber's feedback in the basis of its span, solvable for many (λ, α) without redoing the basis.</summary>
    public sealed class Problem
    {
        private readonly float[] _prior;
        private readonly List<double[]> _basis;
        private readonly double[][] _z;
        private readonly double[] _priorDot;
        private readonly double[] _sign;

        public Problem(IReadOnlyList<float[]> x, IReadOnlyList<bool> liked, float[] prior)
        {
            if (x.Count != liked.Count)
                throw new ArgumentException($"{x.Count} listings but {liked.Count} labels.");
            _prior = prior;
            _basis = OrthonormalBasis(x, prior.Length);
            _z = [.. x.Select(row => _basis.Select(q => Dot(q, row)).ToArray())];
            _priorDot = [.. x.Select(row => Rewards.PreferenceLearner.Dot(prior, row))];
            _sign = [.. liked.Select(l => l ? 1.0 : -1.0)];
        }

        public (double[] W, double Bias) Solve(double lambda, double alpha)
        {
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(lambda);
            var w = _prior.Select(u => alpha * u).ToArray();
            var n = _z.Length;
            if (n == 0)
                return (w, 0);
            var r = _basis.Count;
            var offset = _priorDot.Select(p => alpha * p).ToArray();
            var theta = new double[r + 1]; // β (r), then b
            double Objective(double[] t)
            {
                var sum = 0.0;
                for (var i = 0; i < n; i++)
                    sum += Softplus(-_sign[i] * Margin(t, _z[i], offset[i], r));
                for (var k = 0; k < r; k++)
                    sum += lambda * t[k] * t[k];
                return sum + BiasRidge * t[r] * t[r];
            }

            var value = Objective(theta);
            for (var iteration = 0; iteration < 100; iteration++)
            {
                var gradient = new double[r + 1];
                var hessian = new double[r + 1, r + 1];
                for (var i = 0; i < n; i++)
                {
                    var p = Sigmoid(Margin(theta, _z[i], offset[i], r));
                    var residual = p - (_sign[i] > 0 ? 1 : 0);
                    var curvature = p * (1 - p);
                    for (var a = 0; a <= r; a++)
                    {
                        var za = a < r ? _z[i][a] : 1;
                        gradient[a] += residual * za;
                        for (var c = 0; c <= a; c++)
                            hessian[a, c] += curvature * za * (c < r ? _z[i][c] : 1);
                    }
                }

                for (var k = 0; k < r; k++)
                {
                    gradient[k] += 2 * lambda * theta[k];
                    hessian[k, k] += 2 * lambda;
                }

                gradient[r] += 2 * BiasRidge * theta[r];
                hessian[r, r] += 2 * BiasRidge;
                if (gradient.Max(Math.Abs) < 1e-9)
                    break;
                var step = CholeskySolve(hessian, gradient, r + 1);
                var slope = -gradient.Select((g, k) => g * step[k]).Sum();
                for (var t = 1.0; ; t /= 2)
                {
                    var candidate = theta.Select((v, k) => v - t * step[k]).ToArray();
                    var next = Objective(candidate);
                    if (next <= value + 1e-4 * t * slope || t < 1e-10)
                    {
                        (theta, value) = (candidate, next);
                        break;
                    }
                }
            }

            for (var k = 0; k < r; k++)
                for (var j = 0; j < w.Length; j++)
                    w[j] += theta[k] * _basis[k][j];
            return (w, theta[r]);
        }
    }

    /// <summary>Modified Gram–Schmidt, applied twice per vector; a vector (nearly) in the span of the earlier ones adds nothing.</summary>
    private static List<double[]> OrthonormalBasis(IReadOnlyList<float[]> x, int d)
    {
        var basis = new List<double[]>();
        foreach (var row in x)
        {
            var v = row.Select(f => (double)f).ToArray();
            var length = Math.Sqrt(v.Sum(e => e * e));
            for (var pass = 0; pass < 2; pass++)
                foreach (var q in basis)
                {
                    var along = 0.0;
                    for (var j = 0; j < d; j++)
                        along += q[j] * v[j];
                    for (var j = 0; j < d; j++)
                        v[j] -= along * q[j];
                }

            var norm = Math.Sqrt(v.Sum(e => e * e));
            if (norm > 1e-6 * length)
                basis.Add([.. v.Select(e => e / norm)]);
        }

        return basis;
    }

    private static double Margin(double[] theta, double[] z, double offset, int r)
    {
        var m = offset + theta[r];
        for (var k = 0; k < r; k++)
            m += theta[k] * z[k];
        return m;
    }

    /// <summary>Solves H·s = g for a symmetric positive definite H given by its lower triangle.</summary>
    private static double[] CholeskySolve(double[,] h, double[] g, int n)
    {
        var l = new double[n, n];
        for (var i = 0; i < n; i++)
            for (var j = 0; j <= i; j++)
            {
                var sum = h[i, j];
                for (var k = 0; k < j; k++)
                    sum -= l[i, k] * l[j, k];
                l[i, j] = i == j ? Math.Sqrt(Math.Max(sum, 1e-300)) : sum / l[j, j];
            }

        var y = new double[n];
        for (var i = 0; i < n; i++)
        {
            var sum = g[i];
            for (var k = 0; k < i; k++)
                sum -= l[i, k] * y[k];
            y[i] = sum / l[i, i];
        }

        var s = new double[n];
        for (var i = n - 1; i >= 0; i--)
        {
            var sum = y[i];
            for (var k = i + 1; k < n; k++)
                sum -= l[k, i] * s[k];
            s[i] = sum / l[i, i];
        }

        return s;
    }

    private static double Dot(double[] a, float[] b)
    {
        var sum = 0.0;
        for (var j = 0; j < a.Length; j++)
            sum += a[j] * b[j];
        return sum;
    }

    private static double Sigmoid(double t) => t >= 0 ? 1 / (1 + Math.Exp(-t)) : Math.Exp(t) / (1 + Math.Exp(t));

    private static double Softplus(double t) => Math.Max(t, 0) + double.LogP1(Math.Exp(-Math.Abs(t)));
}
