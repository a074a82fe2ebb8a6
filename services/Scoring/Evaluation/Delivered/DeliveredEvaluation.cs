using System.Diagnostics;
using System.Globalization;
using Platform.Scoring.Rewards;
using Platform.Scoring.Torch;

namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>
/// The evaluation of issue #13 (docs/evaluation.md, "What is delivered"): simulated subscribers (one arXiv category
/// each) give N feedback events from the earlier half of the dates and rank candidate sets from the later half; every
/// method sees the same subscribers, events, labels and sets. Methods are <see cref="IRankingMethod"/>s; the headline
/// is <see cref="DeliveredMethod"/>, the service's own scoring path.
/// </summary>
public static class DeliveredEvaluation
{
    public const string ColdStart = "cold start";
    public const string Reference = "reference";
    public const string Learner = "learner";
    public const string Delivered = "delivered";
    public const string DeliveredOldQuality = "delivered, quality 0.2";
    public static readonly string LogisticLearner = LearnerNamed(Rewards.PreferenceMethod.Logistic);

    /// <summary>The report's name for the service's <paramref name="method"/> preference model when it is not the default.</summary>
    public static string LearnerNamed(Rewards.PreferenceMethod method) => $"{Learner} ({method.ToString().ToLowerInvariant()})";

    /// <summary>The methods the report compares; add a new one here.</summary>
    public static IReadOnlyList<IRankingMethod> DefaultMethods() =>
    [
        new ColdStartMethod(),
        new ReferenceMethod(),
        new PreferenceLearnerMethod(),
        new DeliveredMethod(),
        new PreferenceLearnerMethod(Rewards.PreferenceMethod.Logistic),
        new DeliveredMethod(DeliveredOldQuality, qualityWeight: 0.2,
            description: "the delivered path with every subscriber's quality weight at 0.2, the default before issue #13 (novelty and floor as delivered)"),
    ];

    /// <param name="vectors">Each listing's embedding, as the embedding service publishes it.</param>
    /// <param name="embedInterests">Embeds interest sentences as the embedding service does.</param>
    public static DeliveredEvaluationResult Run(IReadOnlyList<EvalListing> listings, IReadOnlyList<float[]> vectors,
        Func<IReadOnlyList<string>, float[][]> embedInterests, DeliveredEvaluationOptions options, IReadOnlyList<IRankingMethod>? methods = null,
        Action<string>? log = null)
    {
        TorchRuntime.EnsureLoaded();
        methods ??= DefaultMethods();
        var setup = new List<string>();
        void Say(string line)
        {
            setup.Add(line);
            log?.Invoke(line);
        }

        var all = Enumerable.Range(0, listings.Count).ToArray();
        var (feedbackPool, testPool) = Protocol.SplitByDates(listings, all);
        var dates = listings.Select(l => l.Date).Distinct().Count();
        Say(string.Create(CultureInfo.InvariantCulture,
            $"{listings.Count} listings on {dates} dates; feedback pool {feedbackPool.Length} listings ({Range(listings, feedbackPool)}), test pool {testPool.Length} ({Range(listings, testPool)})"));
        var subscribers = Protocol.SelectSubscribers(listings, feedbackPool, testPool, options.MinPerHalf, options.ExcludedCategories);
        if (subscribers.Count == 0)
            throw new InvalidOperationException($"No category has {options.MinPerHalf} listings in each half of the dates.");
        Say($"subscribers ({subscribers.Count}; ≥ {options.MinPerHalf} listings in each half, without {string.Join(", ", options.ExcludedCategories)}): "
            + string.Join(", ", subscribers.Select(s => $"{s.Category} \"{s.Interest}\" ({feedbackPool.Count(i => listings[i].Categories.Contains(s.Category))}/{testPool.Count(i => listings[i].Categories.Contains(s.Category))})")));

        var interests = embedInterests([.. subscribers.Select(s => s.Interest)]);
        var events = options.FeedbackCounts.Max();
        var protocol = Protocol.Build(listings, feedbackPool, testPool, subscribers, interests, options.Seeds, options.SetsPerUnit, seedBase: 0, events, options, log);
        var (innerFeedback, innerTest) = Protocol.SplitByDates(listings, feedbackPool);
        var tuning = Protocol.Build(listings, innerFeedback, innerTest, subscribers, interests, options.TuningSeeds, options.TuningSets, seedBase: 1, events, options, log);
        Say(string.Create(CultureInfo.InvariantCulture,
            $"units: {protocol.Units.Count} (subscriber × seed) × {options.SetsPerUnit} sets of {options.SetSize}; nested tuning inside the feedback pool: events from {innerFeedback.Length} listings ({Range(listings, innerFeedback)}), sets from {innerTest.Length} ({Range(listings, innerTest)}), {tuning.Units.Count} units × {options.TuningSets} sets"));

        var units = vectors.Select(v => PreferenceLearner.Unit(v)).ToArray();
        var streamOrder = new int[listings.Count];
        var stream = all.OrderBy(i => listings[i].Date, StringComparer.Ordinal).ThenBy(i => i).ToArray();
        for (var k = 0; k < stream.Length; k++)
            streamOrder[stream[k]] = k;
        var novelty = StreamNovelty.Compute(stream, units, options.Service);
        Say(string.Create(CultureInfo.InvariantCulture,
            $"stream novelty (window {options.Service.NoveltyWindow}, in date order): {novelty.Count(n => options.Service.Rewards.GlobalAdjustment(0.5, n) < 0)} of {novelty.Length} listings are near-duplicates (cosine > {options.Service.Rewards.DuplicateCosine})"));
        var context = new EvaluationContext(units, vectors, options.Service, tuning, novelty, streamOrder, options);

        var cells = new List<MethodCell>();
        var times = methods.ToDictionary(m => m.Name, _ => TimeSpan.Zero);
        foreach (var noise in options.LabelNoise)
        foreach (var feedback in options.FeedbackCounts.Order())
        {
            var ndcg = methods.ToDictionary(m => m.Name, _ => new double[protocol.Units.Count][]);
            var pairwise = methods.ToDictionary(m => m.Name, _ => new double[protocol.Units.Count][]);
            for (var seed = 0; seed < options.Seeds; seed++)
            {
                var round = new EvaluationRound(protocol, context, seed, noise, feedback);
                foreach (var method in methods)
                {
                    var watch = Stopwatch.StartNew();
                    var scorer = method.Prepare(round);
                    for (var u = 0; u < protocol.Units.Count; u++)
                    {
                        var unit = protocol.Units[u];
                        if (unit.Seed != seed)
                            continue;
                        var measured = unit.CandidateSets.Select(set => RankingMetrics.Measure(scorer(unit.Subscriber, set),
                            [.. set.Select(i => protocol.IsRelevant(unit.Subscriber, i))])).ToArray();
                        ndcg[method.Name][u] = [.. measured.Select(m => m.Ndcg10)];
                        pairwise[method.Name][u] = [.. measured.Select(m => m.Pairwise)];
                    }

                    times[method.Name] += watch.Elapsed;
                }
            }

            foreach (var method in methods)
                cells.Add(new MethodCell(method.Name, noise, feedback, ndcg[method.Name], pairwise[method.Name]));
            var summary = string.Join(", ", cells[^methods.Count..].Select(c => string.Create(CultureInfo.InvariantCulture, $"{c.Method} {c.UnitNdcg.Average():F3}")));
            log?.Invoke(string.Create(CultureInfo.InvariantCulture, $"ε = {noise}, N = {feedback}: {summary}"));
        }

        return new DeliveredEvaluationResult(setup, [.. methods.Select(m => (m.Name, m.Description))],
            [.. protocol.Units.Select(u => new EvaluatedUnit(u.Seed, subscribers[u.Subscriber].Category))], cells, times,
            [.. methods.SelectMany(m => m.Notes)], options);
    }

    private static string Range(IReadOnlyList<EvalListing> listings, int[] indices) =>
        $"{indices.Min(i => listings[i].Date)} to {indices.Max(i => listings[i].Date)}";
}
