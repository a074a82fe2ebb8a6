using Platform.Scoring.Rewards;

namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>Scores of one subscriber's candidates (listing indices); higher ranks first. Ties rank in candidate order.</summary>
public delegate float[] CandidateScorer(int subscriber, IReadOnlyList<int> candidates);

/// <summary>
/// A way of ranking candidates for the simulated subscribers. <see cref="Prepare"/> sees one round — every subscriber
/// of one seed with their first N feedback events at one noise level — and returns the scorer for its candidate sets.
/// A new method is one class implementing this, added to <see cref="DeliveredEvaluation.DefaultMethods"/>.
/// </summary>
public interface IRankingMethod
{
    /// <summary>Short name for the report's tables.</summary>
    string Name { get; }

    /// <summary>What the method does, for the report's legend.</summary>
    string Description => Name;

    CandidateScorer Prepare(EvaluationRound round);

    /// <summary>Lines for the report once the run is over (tuned hyper-parameters, diagnostics).</summary>
    IEnumerable<string> Notes => [];
}

/// <summary>One subscriber's part of a round: their interest vector and the labelled feedback they gave so far.</summary>
public sealed record RoundSubscriber(int Subscriber, float[] Interest, IReadOnlyList<int> Shown, IReadOnlyList<bool> Liked)
{
    public List<LabelledListing> Labelled(IReadOnlyList<float[]> vectors) =>
        [.. Shown.Select((listing, e) => new LabelledListing(vectors[listing], Liked[e]))];
}

/// <summary>
/// One seed × noise level × feedback count: what a method may know (the subscribers, their feedback, every listing's
/// vector and the protocol's pools), not the candidates' relevance. <see cref="ServicePreference"/> is the production
/// preference model's fit, computed once per subscriber and shared by the methods that use it.
/// </summary>
public sealed class EvaluationRound
{
    private readonly Dictionary<int, PreferenceVector> _preferences = [];
    private readonly Lock _gate = new();

    public EvaluationRound(Protocol protocol, EvaluationContext context, int seed, double noise, int feedback)
    {
        Protocol = protocol;
        Context = context;
        Seed = seed;
        Noise = noise;
        Feedback = feedback;
        Subscribers = [.. protocol.Units.Where(u => u.Seed == seed).Select(u => new RoundSubscriber(u.Subscriber, protocol.Interests[u.Subscriber],
            u.Shown[..feedback], [.. Enumerable.Range(0, feedback).Select(e => protocol.Liked(u, e, noise))]))];
    }

    public Protocol Protocol { get; }
    public EvaluationContext Context { get; }
    public int Seed { get; }
    public double Noise { get; }
    public int Feedback { get; }
    public IReadOnlyList<RoundSubscriber> Subscribers { get; }
    public IReadOnlyList<float[]> Vectors => Context.Vectors;

    public RoundSubscriber Subscriber(int subscriber) => Subscribers.Single(s => s.Subscriber == subscriber);

    /// <summary>The subscriber's preference as the service trains it (<see cref="PreferenceLearner.TrainConfigured"/>, service defaults).</summary>
    public PreferenceVector ServicePreference(int subscriber)
    {
        lock (_gate)
        {
            if (!_preferences.TryGetValue(subscriber, out var preference))
            {
                var s = Subscriber(subscriber);
                _preferences[subscriber] = preference = PreferenceLearner.TrainConfigured(s.Interest, s.Labelled(Vectors), [], Context.Service.Preference);
            }

            return preference;
        }
    }
}

/// <summary>
/// What stays the same across rounds: each listing's unit vector (as scoring stores it) and published vector, the
/// service's settings, the nested simulation for tuning, and each listing's novelty and position in the stream.
/// </summary>
public sealed record EvaluationContext(IReadOnlyList<float[]> Vectors, IReadOnlyList<float[]> RawVectors, ScoringOptions Service, Protocol Tuning,
    float[] StreamNovelty, int[] StreamOrder, DeliveredEvaluationOptions Options);
