namespace Platform.Scoring.Rewards;

/// <summary>
/// How a subscriber's final score is made from the rewards. The score stays on the relevance (cosine) scale so that
/// notification thresholds keep their meaning; quality and novelty only shift it, each by at most its cap:
/// <code>score = relevance + clamp(wq·(quality − 0.5), ±capq) − clamp(wn·redundancy, 0, capn)</code>
/// where redundancy = max(0, (1 − novelty) − τ) / (1 − τ) is non-zero only for near-duplicates of recent listings.
/// Neutral quality (untrained, 0.5) and a novel listing leave the cosine unchanged.
/// </summary>
public sealed record RewardWeights
{
    public double Relevance { get; init; } = 1.0;
    /// <summary>
    /// 0 unless a subscriber (or an operator) sets their own: one network trained on everybody's likes pulls each
    /// subscriber toward what the majority likes, and at 0.2 it lowered the delivered NDCG@10 of the issue #13
    /// protocol by 0.016–0.025 (docs/evaluation.md), so it stays out of the way until a weight is earned.
    /// </summary>
    public double Quality { get; init; }
    public double QualityCap { get; init; } = 0.05;
    public double Novelty { get; init; } = 0.2;
    public double NoveltyCap { get; init; } = 0.1;
    /// <summary>Cosine to a recent listing above which a listing counts as a near-duplicate.</summary>
    public double DuplicateCosine { get; init; } = 0.9;

    public double GlobalAdjustment(double quality, double novelty)
    {
        var q = Math.Clamp(Quality * (quality - 0.5), -QualityCap, QualityCap);
        var redundancy = Math.Max(0, 1 - novelty - DuplicateCosine) / Math.Max(1e-9, 1 - DuplicateCosine);
        var n = Math.Clamp(Novelty * redundancy, 0, NoveltyCap);
        return q - n;
    }

    public double Combine(double relevance, double quality, double novelty) => Relevance * relevance + GlobalAdjustment(quality, novelty);

    /// <summary>The most any subscriber's weights can raise a score (the quality cap): used to pre-filter on relevance.</summary>
    public double MaxRaise => QualityCap;
}
