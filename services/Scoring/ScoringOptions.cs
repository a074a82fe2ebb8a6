using Platform.Scoring.Rewards;

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

    /// <summary>How rewards combine into a subscriber's score (weights and caps).</summary>
    public RewardWeights Rewards { get; set; } = new();

    public PreferenceTrainingOptions Preference { get; set; } = new();

    public QualityTrainingOptions Quality { get; set; } = new();

    /// <summary>Novelty compares a listing with this many most recently scored ones.</summary>
    public int NoveltyWindow { get; set; } = 1000;

    /// <summary>The trainer waits this long after feedback arrives to gather a mini-batch of it.</summary>
    public TimeSpan TrainingBatchWindow { get; set; } = TimeSpan.FromMilliseconds(200);
}
