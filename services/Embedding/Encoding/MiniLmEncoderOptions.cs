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

    /// <summary>Try the CUDA execution provider; falls back to the CPU when it cannot be loaded.</summary>
    public bool UseCuda { get; set; }
}
