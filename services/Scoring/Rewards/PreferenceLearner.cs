using Platform.Scoring.Torch;
using static TorchSharp.torch;

namespace Platform.Scoring.Rewards;

/// <summary>One labelled reaction: the listing's unit vector and whether it was liked (like, click) or dismissed.</summary>
public readonly record struct LabelledListing(float[] Vector, bool Liked);

/// <summary>"A over B": the subscriber preferred <see cref="Winner"/> to <see cref="Loser"/>.</summary>
public readonly record struct PreferencePair(float[] Winner, float[] Loser);

/// <summary>Which personal preference model the service trains.</summary>
public enum PreferenceMethod
{
    /// <summary>Shrunken Rocchio feedback (<see cref="CentroidPreferenceLearner"/>): the default.</summary>
    Centroid,

    /// <summary>Noise-corrected logistic regression pulled toward the interest (<see cref="PreferenceLearner"/>), the model before #13.</summary>
    Logistic,
}

/// <summary>Hyper-parameters of the personal preference model.</summary>
public sealed record PreferenceTrainingOptions
{
    public PreferenceMethod Method { get; init; } = PreferenceMethod.Centroid;

    /// <summary>Centroid: s in β(n) = s·n/(n + k), how far plenty of feedback may move the direction from the interest.</summary>
    public double FeedbackScale { get; init; } = 3;

    /// <summary>Centroid: k in β(n) = s·n/(n + k), the reactions at which feedback has half its full weight.</summary>
    public double FeedbackPseudoCount { get; init; } = 50;

    /// <summary>Logit scale applied to the dot product w·x (cosines of MiniLM vectors span a narrow range).</summary>
    public float Scale { get; init; } = 10f;

    /// <summary>Strength of the L2 pull toward the stated-interest vector, in pseudo-examples.</summary>
    public float PriorStrength { get; init; } = 10f;

    public float LearningRate { get; init; } = 0.05f;

    public int Steps { get; init; } = 100;

    /// <summary>Assumed label-flip rate ε of the feedback; the loss is forward-corrected: p' = (1−ε)p + ε(1−p).</summary>
    public float LabelNoise { get; init; } = 0.1f;

    /// <summary>Only the most recent reactions train the model.</summary>
    public int MaxExamples { get; init; } = 500;
}

/// <summary>
/// A trained personal preference: the unit direction used for relevance and the logistic calibration of the like
/// probability σ(scale·Norm·relevance + Bias). As trained, Norm is ‖w‖ and Bias the logistic bias on the feedback;
/// <see cref="LikeCalibration"/> then refits slope and bias (Platt) and moves the bias to recent listings' base rate.
/// </summary>
public sealed record PreferenceVector(float[] Direction, float Norm, float Bias, int Examples)
{
    /// <summary>Probability of a like for a listing whose relevance (cosine with <see cref="Direction"/>) is <paramref name="relevance"/>.</summary>
    public double LikeProbability(double relevance, float scale) => 1.0 / (1.0 + Math.Exp(-(scale * Norm * relevance + Bias)));
}

/// <summary>
/// Learns a subscriber's preference vector w = u₀ + δ from their feedback: logistic loss on likes/clicks vs dismissals,
/// Bradley–Terry on "A over B" pairs, both forward-corrected for a label-flip rate ε, plus λ‖δ‖² toward the
/// stated-interest vector u₀; full-batch Adam (a subscriber's history is small). Deterministic for given inputs.
/// </summary>
public static class PreferenceLearner
{
    /// <summary>The model <see cref="PreferenceTrainingOptions.Method"/> names.</summary>
    public static PreferenceVector TrainConfigured(float[] interest, IReadOnlyList<LabelledListing> labelled, IReadOnlyList<PreferencePair> pairs,
        PreferenceTrainingOptions options) => options.Method switch
        {
            PreferenceMethod.Centroid => CentroidPreferenceLearner.Train(interest, labelled, pairs, options),
            PreferenceMethod.Logistic => Train(interest, labelled, pairs, options),
            _ => throw new ArgumentOutOfRangeException(nameof(options), options.Method, "Unknown preference method."),
        };

    public static PreferenceVector Train(float[] interest, IReadOnlyList<LabelledListing> labelled, IReadOnlyList<PreferencePair> pairs,
        PreferenceTrainingOptions options, Device? device = null)
    {
        TorchRuntime.EnsureLoaded();
        device ??= CPU;
        var dimension = interest.Length;
        var u0 = Unit(interest);
        if (labelled.Count + pairs.Count == 0)
            return new PreferenceVector(u0, 1f, 0f, 0);
        if (labelled.Count > options.MaxExamples)
            labelled = [.. labelled.Skip(labelled.Count - options.MaxExamples)];
        if (pairs.Count > options.MaxExamples)
            pairs = [.. pairs.Skip(pairs.Count - options.MaxExamples)];

        using var scope = NewDisposeScope();
        using var noGradInit = no_grad();
        var prior = tensor(u0, ScalarType.Float32, device);
        Tensor? x = null, y = null, diff = null;
        var biasInit = 0f;
        if (labelled.Count > 0)
        {
            x = Stack(labelled.Select(l => l.Vector), dimension, device);
            y = tensor(labelled.Select(l => l.Liked ? 1f : 0f).ToArray(), ScalarType.Float32, device);
            biasInit = -options.Scale * x.mv(prior).mean().item<float>();
        }

        if (pairs.Count > 0)
            diff = Stack(pairs.Select(p => p.Winner), dimension, device) - Stack(pairs.Select(p => p.Loser), dimension, device);
        noGradInit.Dispose();

        var delta = nn.Parameter(zeros(dimension, ScalarType.Float32, device));
        var bias = nn.Parameter(tensor(new[] { biasInit }, ScalarType.Float32, device));
        using var optimizer = optim.Adam([delta, bias], options.LearningRate);
        var eps = Math.Clamp(options.LabelNoise, 0f, 0.49f);
        var count = labelled.Count + pairs.Count;
        for (var step = 0; step < options.Steps; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            var w = prior + delta;
            var loss = delta.pow(2).sum() * (options.PriorStrength / (count + options.PriorStrength));
            if (x is not null)
                loss += NoisyLogLoss(x.mv(w) * options.Scale + bias, y!, eps).sum() / (count + options.PriorStrength);
            if (diff is not null)
                loss += NoisyLogLoss(diff.mv(w) * options.Scale, ones(pairs.Count, ScalarType.Float32, device), eps).sum() / (count + options.PriorStrength);
            loss.backward();
            optimizer.step();
        }

        using var noGrad = no_grad();
        var final = (prior + delta).cpu();
        var norm = final.norm().item<float>();
        var direction = (final / norm).data<float>().ToArray();
        return new PreferenceVector(direction, norm, bias.cpu().item<float>(), count);
    }

    /// <summary>−log p'(y) with p' = (1−ε)σ(z) + εσ(−z); plain logistic loss when ε = 0.</summary>
    public static Tensor NoisyLogLoss(Tensor logits, Tensor labels, float eps)
    {
        if (eps <= 0f)
            return nn.functional.binary_cross_entropy_with_logits(logits, labels, reduction: nn.Reduction.None);
        var p = sigmoid(logits) * (1f - 2f * eps) + eps;
        return -(labels * p.log() + (1f - labels) * (1f - p).log());
    }

    /// <summary>Σ aᵢ·bᵢ accumulated in double: the cosine of two unit vectors.</summary>
    public static double Dot(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
    {
        var sum = 0.0;
        for (var i = 0; i < a.Length; i++)
            sum += (double)a[i] * b[i];
        return sum;
    }

    public static float[] Unit(ReadOnlySpan<float> vector)
    {
        double squares = 0;
        foreach (var v in vector)
            squares += (double)v * v;
        var norm = Math.Sqrt(squares);
        if (!(norm > 0) || !double.IsFinite(norm))
            throw new ArgumentException("The vector must be finite and non-zero.", nameof(vector));
        var unit = new float[vector.Length];
        for (var i = 0; i < unit.Length; i++)
            unit[i] = (float)(vector[i] / norm);
        return unit;
    }

    private static Tensor Stack(IEnumerable<float[]> rows, int dimension, Device device)
    {
        var list = rows.ToList();
        var flat = new float[list.Count * dimension];
        for (var i = 0; i < list.Count; i++)
        {
            if (list[i].Length != dimension)
                throw new ArgumentException($"Expected vectors of {dimension} values, got {list[i].Length}.");
            list[i].CopyTo(flat, i * dimension);
        }

        return tensor(flat, [list.Count, dimension], ScalarType.Float32, device);
    }
}
