using System.Collections.Concurrent;
using System.Globalization;
using Platform.Scoring.Rewards;

namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>
/// (b) The issue's reference: <see cref="PulledLogisticRegression"/> on the subscriber's feedback, candidates ranked by
/// w·x. λ and α are chosen per feedback count and noise level from a small grid by the nested simulation
/// (<see cref="EvaluationContext.Tuning"/>: events from the feedback pool's earlier dates, candidate sets from its later
/// dates; the test pool is never seen), maximising mean NDCG@10 over its units; ties go to the earlier grid point.
/// With no feedback w = α·u₀, the cold-start ranking.
/// </summary>
public sealed class ReferenceMethod : IRankingMethod
{
    public static readonly double[] DefaultLambdas = [0.01, 0.03, 0.1, 0.3, 1, 3, 10, 30, 100];
    public static readonly double[] DefaultPulls = [0, 0.3, 1, 3, 10, 30];

    private readonly ConcurrentDictionary<(int Feedback, double Noise), Lazy<(double Lambda, double Alpha, double Ndcg)>> _chosen = new();

    public IReadOnlyList<double> Lambdas { get; init; } = DefaultLambdas;
    public IReadOnlyList<double> Pulls { get; init; } = DefaultPulls;

    public string Name => DeliveredEvaluation.Reference;

    public string Description => string.Create(CultureInfo.InvariantCulture,
        $"logistic regression on the embeddings, loss Σ log-loss + λ‖w − α·u₀‖² (bias unpenalised), exact Newton; λ ∈ {{{string.Join(", ", Lambdas)}}} × α ∈ {{{string.Join(", ", Pulls)}}} chosen per (ε, N) by the nested simulation inside the feedback pool (best mean NDCG@10)");

    public CandidateScorer Prepare(EvaluationRound round)
    {
        if (round.Feedback == 0)
            return (subscriber, candidates) => RankingMetrics.Scores(candidates, round.Vectors, PreferenceLearner.Unit(round.Subscriber(subscriber).Interest));
        var (lambda, alpha, _) = _chosen.GetOrAdd((round.Feedback, round.Noise),
            key => new Lazy<(double, double, double)>(() => Tune(round.Context, key.Feedback, key.Noise))).Value;
        var directions = round.Subscribers.ToDictionary(s => s.Subscriber, s => Direction(s, round.Vectors, lambda, alpha));
        return (subscriber, candidates) => RankingMetrics.Scores(candidates, round.Vectors, directions[subscriber]);
    }

    public IEnumerable<string> Notes => _chosen.OrderBy(kv => kv.Key.Noise).ThenBy(kv => kv.Key.Feedback).Select(kv =>
    {
        var (lambda, alpha, ndcg) = kv.Value.Value;
        var edge = lambda == Lambdas[0] || lambda == Lambdas[^1] || alpha == Pulls[0] || alpha == Pulls[^1] ? " (edge of the grid)" : "";
        return string.Create(CultureInfo.InvariantCulture, $"reference, ε = {kv.Key.Noise}, N = {kv.Key.Feedback}: λ = {lambda}, α = {alpha}{edge}; nested NDCG@10 {ndcg:F3}");
    });

    private static float[] Direction(RoundSubscriber s, IReadOnlyList<float[]> vectors, double lambda, double alpha)
    {
        var (w, _) = PulledLogisticRegression.Fit([.. s.Shown.Select(i => vectors[i])], s.Liked, PreferenceLearner.Unit(s.Interest), lambda, alpha);
        return [.. w.Select(v => (float)v)];
    }

    private (double Lambda, double Alpha, double Ndcg) Tune(EvaluationContext context, int feedback, double noise)
    {
        var tuning = context.Tuning;
        if (tuning.Units.Count == 0)
            throw new InvalidOperationException("The nested simulation has no units to tune the reference on (see the log for the subscribers left out).");
        var rounds = tuning.Units.Select(u => u.Seed).Distinct().ToDictionary(seed => seed, seed => new EvaluationRound(tuning, context, seed, noise, feedback));
        var grid = Lambdas.SelectMany(l => Pulls.Select(a => (Lambda: l, Alpha: a))).ToList();
        var ndcg = new double[grid.Count, tuning.Units.Count];
        Parallel.For(0, tuning.Units.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, u =>
        {
            var unit = tuning.Units[u];
            var subscriber = rounds[unit.Seed].Subscriber(unit.Subscriber);
            var relevant = unit.CandidateSets.Select(set => set.Select(i => tuning.IsRelevant(unit.Subscriber, i)).ToArray()).ToArray();
            var problem = new PulledLogisticRegression.Problem([.. subscriber.Shown.Select(i => context.Vectors[i])], subscriber.Liked, PreferenceLearner.Unit(subscriber.Interest));
            for (var g = 0; g < grid.Count; g++)
            {
                var direction = problem.Solve(grid[g].Lambda, grid[g].Alpha).W.Select(v => (float)v).ToArray();
                ndcg[g, u] = unit.CandidateSets.Select((set, k) => RankingMetrics.Ndcg10(RankingMetrics.Scores(set, context.Vectors, direction), relevant[k])).Average();
            }
        });

        var best = 0;
        var means = Enumerable.Range(0, grid.Count).Select(g => Enumerable.Range(0, tuning.Units.Count).Average(u => ndcg[g, u])).ToArray();
        for (var g = 1; g < grid.Count; g++)
            if (means[g] > means[best])
                best = g;
        return (grid[best].Lambda, grid[best].Alpha, means[best]);
    }
}
