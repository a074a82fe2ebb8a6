namespace Platform.Scoring;

public sealed class ScoringOptions
{
    /// <summary><c>cpu</c> or <c>cuda</c>; cuda falls back to the CPU (with a log line) when no GPU is usable.</summary>
    public string Device { get; set; } = "cpu";

    /// <summary>Vectors from any other embedding model are refused: scores across models mean nothing.</summary>
    public string EmbeddingModelId { get; set; } = "sentence-transformers/all-MiniLM-L6-v2@onnx-fp32-v1";

    public int Dimension { get; set; } = 384;

    /// <summary>Subscribers scoring below this are left out of a listing's matches (notification applies each subscriber's own threshold).</summary>
    public float MatchFloor { get; set; } = 0.0f;

    /// <summary>At most this many matches per listing, best first.</summary>
    public int MaxMatches { get; set; } = 10_000;
}
