namespace Platform.Scoring.Rewards;

/// <summary>
/// Recalibrates a trained preference's like probability σ(scale·Norm·relevance + Bias) in two steps, both monotonic
/// (they never change the order of listings, so ranking is untouched):
/// <list type="number">
/// <item><b>Platt scaling on the subscriber's own feedback</b>: σ(a·z + c) over the model's logit z, fitted to their
/// likes and dismissals with the same label-noise correction as the preference model and a Gaussian prior toward
/// (a, c) = (1, 0) so that a handful of events cannot make it extreme. The preference fit keeps ‖w‖ near 1 (its L2
/// pull toward the stated interest) and so cannot choose its own slope; this does.</item>
/// <item><b>Prior shift to the listings being scored</b> (Saerens, Latinne &amp; Decaestecker, 2002): feedback comes
/// from listings the subscriber was <i>shown</i>, about half of them relevant, while a probability is published for
/// every listing scored, of which far fewer are. With the base rate π_f of the feedback and the base rate π of recent
/// listings (estimated by EM on their unlabelled probabilities), the logit moves by logit(π) − logit(π_f).</item>
/// </list>
/// </summary>
public static class LikeCalibration
{
    /// <summary>Strength of the Gaussian prior on Platt's (a − 1, c), in units of squared logit.</summary>
    public const double PlattPrior = 10.0;

    /// <param name="recent">Unit vectors of recently scored listings (unlabelled); empty leaves the base rate as in the feedback.</param>
    public static PreferenceVector Calibrate(PreferenceVector preference, IReadOnlyList<LabelledListing> labelled,
        IReadOnlyList<float[]> recent, PreferenceTrainingOptions options)
    {
        if (labelled.Count == 0 || preference.Examples == 0)
            return preference; // pairs alone say nothing about how likely a like is
        if (labelled.Count > options.MaxExamples)
            labelled = [.. labelled.Skip(labelled.Count - options.MaxExamples)];
        var eps = Math.Clamp(options.LabelNoise, 0.0, 0.49);
        var z = labelled.Select(l => Logit(preference, l.Vector, options.Scale)).ToArray();
        var y = labelled.Select(l => l.Liked ? 1.0 : 0.0).ToArray();
        var (a, c) = FitPlatt(z, y, eps, PlattPrior);
        var calibrated = preference with { Norm = (float)(a * preference.Norm), Bias = (float)(a * preference.Bias + c) };
        if (recent.Count == 0)
            return calibrated;

        var feedbackRate = Math.Clamp(z.Select(v => Sigmoid(a * v + c)).Average(), 1e-3, 1 - 1e-3);
        var recentProbabilities = recent.Select(v => Sigmoid(Logit(calibrated, v, options.Scale))).ToArray();
        var recentRate = EstimateBaseRate(recentProbabilities, feedbackRate);
        var shift = LogOdds(recentRate) - LogOdds(feedbackRate);
        return calibrated with { Bias = (float)(calibrated.Bias + shift) };
    }

    /// <summary>
    /// Platt's (a, c) for p = σ(a·z + c), observed through labels flipped with probability ε, by Newton's method on the
    /// penalised log-loss (Fisher scoring; 2 × 2). a is kept positive so the ranking never reverses.
    /// </summary>
    public static (double A, double C) FitPlatt(IReadOnlyList<double> z, IReadOnlyList<double> y, double eps, double prior)
    {
        double a = 1, c = 0;
        for (var iteration = 0; iteration < 50; iteration++)
        {
            double ga = prior * (a - 1), gc = prior * c, haa = prior, hac = 0, hcc = prior;
            for (var i = 0; i < z.Count; i++)
            {
                var p = Sigmoid(a * z[i] + c);
                var pn = Math.Clamp((1 - eps) * p + eps * (1 - p), 1e-9, 1 - 1e-9);
                var dpn = (1 - 2 * eps) * p * (1 - p); // dp'/du
                var dl = -(y[i] / pn - (1 - y[i]) / (1 - pn)) * dpn; // dloss/du
                var w = dpn * dpn / (pn * (1 - pn)); // Fisher information in u
                ga += dl * z[i];
                gc += dl;
                haa += w * z[i] * z[i];
                hac += w * z[i];
                hcc += w;
            }

            var det = haa * hcc - hac * hac;
            if (!(det > 1e-12))
                break;
            var da = (hcc * ga - hac * gc) / det;
            var dc = (haa * gc - hac * ga) / det;
            a = Math.Max(0.05, a - da);
            c -= dc;
            if (Math.Abs(da) + Math.Abs(dc) < 1e-7)
                break;
        }

        return (a, c);
    }

    /// <summary>
    /// The base rate of a new set of listings from probabilities calibrated at base rate <paramref name="trainingRate"/>:
    /// EM that re-weights each posterior by the ratio of the priors until the mean posterior stops moving.
    /// </summary>
    public static double EstimateBaseRate(IReadOnlyList<double> probabilities, double trainingRate)
    {
        if (probabilities.Count == 0)
            return trainingRate;
        var rate = trainingRate;
        for (var iteration = 0; iteration < 200; iteration++)
        {
            var up = rate / trainingRate;
            var down = (1 - rate) / (1 - trainingRate);
            double sum = 0;
            foreach (var p in probabilities)
                sum += up * p / (up * p + down * (1 - p));
            var next = Math.Clamp(sum / probabilities.Count, 1e-4, 1 - 1e-4);
            var done = Math.Abs(next - rate) < 1e-7;
            rate = next;
            if (done)
                break;
        }

        return rate;
    }

    private static double Logit(PreferenceVector preference, float[] vector, float scale)
    {
        double dot = 0;
        for (var i = 0; i < vector.Length; i++)
            dot += (double)preference.Direction[i] * vector[i];
        return scale * preference.Norm * dot + preference.Bias;
    }

    private static double Sigmoid(double x) => 1.0 / (1.0 + Math.Exp(-x));

    private static double LogOdds(double p) => Math.Log(p / (1 - p));
}
