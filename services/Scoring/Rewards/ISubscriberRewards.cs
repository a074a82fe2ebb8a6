namespace Platform.Scoring.Rewards;

/// <summary>
/// What scoring needs to know about each subscriber besides their vector: their reward weights and the calibration of
/// their like probability. <see cref="RewardModels"/> is the service's; the evaluation uses it too.
/// </summary>
public interface ISubscriberRewards
{
    /// <summary>The subscriber's own weights (with the global caps), or the defaults.</summary>
    RewardWeights WeightsFor(Guid subscriberId);

    /// <summary>Whether any subscriber has weights of their own (then the relevance pre-filter allows for the largest raise).</summary>
    bool HasOwnWeights { get; }

    /// <summary>Calibrated probability of a like at this relevance; null before the subscriber's first feedback.</summary>
    double? LikeProbability(Guid subscriberId, double relevance);
}
