namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>(c) The production <see cref="Rewards.PreferenceLearner"/> with the service's defaults: candidates ranked by relevance alone.</summary>
public sealed class PreferenceLearnerMethod : IRankingMethod
{
    public string Name => DeliveredEvaluation.Learner;

    public string Description => "the production PreferenceLearner with the service's defaults, candidates ranked by its relevance alone";

    public CandidateScorer Prepare(EvaluationRound round) =>
        (subscriber, candidates) => RankingMetrics.Scores(candidates, round.Vectors, round.ServicePreference(subscriber).Direction);
}
