using Platform.Scoring.Rewards;

namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>(a) Cold start: cosine between each candidate and the subscriber's interest vector, whatever the feedback.</summary>
public sealed class ColdStartMethod : IRankingMethod
{
    public string Name => DeliveredEvaluation.ColdStart;

    public string Description => "cosine between the listing and the interest vector (the embedded category name), whatever the feedback";

    public CandidateScorer Prepare(EvaluationRound round) =>
        (subscriber, candidates) => RankingMetrics.Scores(candidates, round.Vectors, PreferenceLearner.Unit(round.Subscriber(subscriber).Interest));
}
