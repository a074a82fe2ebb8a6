namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>The protocol of issue #13 (docs/evaluation.md), with its defaults; smaller values make a quick run.</summary>
public sealed record DeliveredEvaluationOptions
{
    /// <summary>Feedback events per subscriber at which rankings are measured; the smaller counts are prefixes of the largest.</summary>
    public int[] FeedbackCounts { get; init; } = [0, 5, 20, 50];

    public int Seeds { get; init; } = 5;

    /// <summary>Candidate sets per subscriber × seed unit; a unit's metric is the mean over its sets.</summary>
    public int SetsPerUnit { get; init; } = 20;

    public int SetSize { get; init; } = 100;

    /// <summary>A candidate set is redrawn until it holds between these many relevant listings (inclusive).</summary>
    public int MinRelevantInSet { get; init; } = 5;

    public int MaxRelevantInSet { get; init; } = 30;

    /// <summary>A category is a subscriber when it has at least this many listings in each half of the time split.</summary>
    public int MinPerHalf { get; init; } = 40;

    public string[] ExcludedCategories { get; init; } = ["cs.CV", "cs.CL", "cs.AI"];

    /// <summary>Label-flip rates ε; the first is the headline.</summary>
    public double[] LabelNoise { get; init; } = [0.1, 0.3];

    /// <summary>Seeds of the nested simulation inside the feedback pool that tunes the reference's λ and α.</summary>
    public int TuningSeeds { get; init; } = 3;

    public int TuningSets { get; init; } = 10;

    /// <summary>Stops the candidate-set redraws of a subscriber whose category is too rare (or too common) for the bounds.</summary>
    public int MaxDrawsPerSet { get; init; } = 100_000;

    /// <summary>The service's settings (reward weights and caps, preference and quality training, novelty window, floors).</summary>
    public ScoringOptions Service { get; init; } = new();
}
