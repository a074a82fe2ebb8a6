namespace Platform.Embedding.Encoding;

public sealed class MiniLmEncoderOptions
{
    /// <summary>ONNX Runtime intra-op threads; null means <see cref="Environment.ProcessorCount"/>.</summary>
    public int? IntraOpThreads { get; set; }

    /// <summary>Texts per model run. Texts are sorted by length first, so each run pads only to its own longest text.</summary>
    public int BatchSize { get; set; } = 16;

    /// <summary>
    /// Let ONNX Runtime's intra-op threads spin-wait between operators (its default). Spinning is fastest on an idle
    /// machine; false yields the cores to other processes between operators.
    /// </summary>
    public bool AllowSpinning { get; set; } = true;

    /// <summary>
    /// Fp32 (default) runs the model as published. Int8 quantizes its weight matrices at start-up (dynamic
    /// quantization, see <see cref="Onnx.Int8WeightQuantizer"/>): faster on CPUs with int8 dot-product instructions,
    /// vectors close to but not equal to fp32, so it publishes its own model id and scoring must be configured for it.
    /// </summary>
    public MiniLmPrecision Precision { get; set; } = MiniLmPrecision.Fp32;

    /// <summary>Try the CUDA execution provider; falls back to the CPU when it cannot be loaded.</summary>
    public bool UseCuda { get; set; }
}

public enum MiniLmPrecision
{
    Fp32,
    Int8,
}
