using Microsoft.Extensions.Logging;
using Platform.ServiceDefaults;

namespace Platform.Embedding.Encoding;

/// <summary>
/// Compares a freshly built int8 encoder with the fp32 model on a few built-in paper texts, at start-up and on this
/// CPU's own kernels: a weight range the CPU computes wrongly, or a quantization that lost too much, shows up as a
/// warning in the log before any listing is embedded, instead of as silently worse rankings.
/// </summary>
public static class Int8SelfCheck
{
    /// <summary>Below this cosine to fp32 the int8 vectors are no longer a close stand-in (docs/performance.md).</summary>
    public const double MinimumCosine = 0.98;

    // Titles and abstracts of different fields and lengths, as listings arrive.
    private static readonly string[] Texts =
    [
        "Attention Is All You Need\nThe dominant sequence transduction models are based on complex recurrent or convolutional neural networks. We propose a new simple network architecture, the Transformer, based solely on attention mechanisms.",
        "Denoising diffusion probabilistic models\nWe present high quality image synthesis results using diffusion probabilistic models, a class of latent variable models inspired by considerations from nonequilibrium thermodynamics.",
        "Message passing neural networks for molecular property prediction\nWe reformulate existing models into a single common framework and explore variations that reach state of the art results on a molecular benchmark.",
        "A measurement of the Hubble constant from gravitational-wave standard sirens\nWe combine the distance of a binary neutron star merger with the recession velocity of its host galaxy.",
        "Sparse recovery with compressed sensing: guarantees under the restricted isometry property",
        "Reinforcement learning from human feedback aligns language models with user intent across many tasks, reducing toxic outputs while keeping performance on public NLP datasets.",
        "Formal verification of concurrent data structures with separation logic",
        "Le roman courtois et la littérature médiévale française",
    ];

    /// <returns>The smallest cosine between the int8 and fp32 vectors of the check texts.</returns>
    public static double Run(ITextEncoder int8, MiniLmEncoderOptions options, ILogger logger)
    {
        using var fp32 = new MiniLmEncoder(new MiniLmEncoderOptions
        {
            IntraOpThreads = options.IntraOpThreads,
            BatchSize = options.BatchSize,
            AllowSpinning = options.AllowSpinning,
            Precision = MiniLmPrecision.Fp32,
        });
        var expected = fp32.Encode(Texts);
        var actual = int8.Encode(Texts);
        var minimum = expected.Zip(actual, Cosine).Min();
        if (minimum < MinimumCosine)
            logger.LogWarning(
                "Int8 self-check: the int8 model {ModelId} gives a cosine to fp32 as low as {Cosine:F4} (below {Minimum}) on this CPU ({Cpu}); " +
                "its vectors are not a close stand-in for fp32. Use Embedding:Encoder:Precision=Fp32, or Int8WeightRange=Reduced if Full was chosen.",
                int8.ModelId, minimum, MinimumCosine, CpuFeatures.Current.Describe());
        else
            logger.LogInformation("Int8 self-check: smallest cosine to fp32 {Cosine:F4} over {Count} texts", minimum, Texts.Length);
        if (!CpuFeatures.Current.HasSaturationFreeInt8DotProduct)
            logger.LogWarning(
                "Int8 on a CPU without int8 dot-product instructions (no AVX-512 VNNI or AVX-VNNI): measured 1.06x the speed of fp32 on an AVX2-only " +
                "AMD EPYC, against 2.15x with VNNI (docs/performance.md). Fp32 is the better choice here unless the int8 model id must be kept.");
        return minimum;
    }

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }
        return dot / Math.Sqrt(aa * bb);
    }
}
