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
    /// quantization, see <see cref="Onnx.Int8WeightQuantizer"/>): about 2× faster on CPUs with int8 dot-product
    /// instructions (VNNI), hardly faster without them; vectors close to but not equal to fp32, so it publishes its
    /// own model id and scoring must be configured for it.
    /// </summary>
    public MiniLmPrecision Precision { get; set; } = MiniLmPrecision.Fp32;

    /// <summary>The int8 weight range (only with <see cref="MiniLmPrecision.Int8"/>); each range has its own model id.</summary>
    public Int8WeightRange Int8WeightRange { get; set; } = Int8WeightRange.Auto;

    /// <summary>Try the CUDA execution provider; falls back to the CPU when it cannot be loaded.</summary>
    public bool UseCuda { get; set; }
}

public enum MiniLmPrecision
{
    Fp32,
    Int8,
}

public enum Int8WeightRange
{
    /// <summary>Full where this CPU computes it exactly (AVX-512 VNNI, AVX-VNNI, arm64), Reduced elsewhere.</summary>
    Auto,

    /// <summary>8-bit weights (±127): the most accurate; refused at start on CPUs whose int8 kernels would saturate.</summary>
    Full,

    /// <summary>7-bit weights (±63), ONNX Runtime's <c>reduce_range</c>: exact on every CPU, slightly less accurate.</summary>
    Reduced,
}
