using Platform.Scoring.Rewards;

namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>
/// (c) The production preference model with the service's defaults, candidates ranked by its relevance alone; with
/// <paramref name="method"/> another of the service's models, for comparison.
/// </summary>
public sealed class PreferenceLearnerMethod(PreferenceMethod? method = null) : IRankingMethod
{
    public string Name => method is { } m ? DeliveredEvaluation.LearnerNamed(m) : DeliveredEvaluation.Learner;

    public string Description => method is { } m
        ? $"the service's {m} preference model (Scoring:Preference:Method={m}), candidates ranked by its relevance alone"
        : "the production preference model with the service's defaults, candidates ranked by its relevance alone";

    public CandidateScorer Prepare(EvaluationRound round)
    {
        if (method is not { } m)
            return (subscriber, candidates) => RankingMetrics.Scores(candidates, round.Vectors, round.ServicePreference(subscriber).Direction);
        var options = round.Context.Service.Preference with { Method = m };
        var directions = round.Subscribers.ToDictionary(s => s.Subscriber,
            s => PreferenceLearner.TrainConfigured(s.Interest, s.Labelled(round.Vectors), [], options).Direction);
        return (subscriber, candidates) => RankingMetrics.Scores(candidates, round.Vectors, directions[subscriber]);
    }
}
