namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>A simulated subscriber: one arXiv category, whose official name is the interest sentence.</summary>
public sealed record SimulatedSubscriber(string Category, string Interest);

/// <summary>
/// One subscriber × seed: the listings shown as feedback (the longest stream; shorter ones are its prefixes), one
/// uniform draw per event that flips its label when below ε (so the flips at ε = 0.1 are a subset of those at 0.3),
/// and the candidate sets to rank.
/// </summary>
public sealed record ProtocolUnit(int Seed, int Subscriber, int[] Shown, double[] FlipDraws, int[][] CandidateSets);

/// <summary>
/// The simulation of issue #13 over one pair of pools: subscribers, their feedback streams from the earlier pool and
/// candidate sets from the later pool. Built for the evaluation proper (feedback pool → test pool) and, with the
/// feedback pool split again by its dates, for the nested simulation that tunes hyper-parameters without the test pool.
/// </summary>
public sealed class Protocol
{
    private readonly bool[][] _relevant; // [subscriber][listing]

    private Protocol(IReadOnlyList<EvalListing> listings, int[] feedbackPool, int[] testPool, IReadOnlyList<SimulatedSubscriber> subscribers,
        IReadOnlyList<float[]> interests, IReadOnlyList<ProtocolUnit> units, bool[][] relevant)
    {
        Listings = listings;
        FeedbackPool = feedbackPool;
        TestPool = testPool;
        Subscribers = subscribers;
        Interests = interests;
        Units = units;
        _relevant = relevant;
    }

    public IReadOnlyList<EvalListing> Listings { get; }
    public int[] FeedbackPool { get; }
    public int[] TestPool { get; }
    public IReadOnlyList<SimulatedSubscriber> Subscribers { get; }
    /// <summary>Each subscriber's interest vector (the embedding of their sentence), as the service stores it.</summary>
    public IReadOnlyList<float[]> Interests { get; }
    public IReadOnlyList<ProtocolUnit> Units { get; }

    public bool IsRelevant(int subscriber, int listing) => _relevant[subscriber][listing];

    /// <summary>The label the subscriber gives the unit's <paramref name="e"/>-th shown listing: relevance, flipped with probability ε.</summary>
    public bool Liked(ProtocolUnit unit, int e, double noise) => IsRelevant(unit.Subscriber, unit.Shown[e]) ^ (unit.FlipDraws[e] < noise);

    /// <summary>Listing indices split by distinct dates: the earlier half of the dates and the later half.</summary>
    public static (int[] Earlier, int[] Later) SplitByDates(IReadOnlyList<EvalListing> listings, IReadOnlyList<int> indices)
    {
        var dates = indices.Select(i => listings[i].Date).Distinct().Order(StringComparer.Ordinal).ToList();
        if (dates.Count < 2)
            throw new ArgumentException($"A time split needs at least two distinct dates; these listings have {dates.Count}.");
        var earlier = dates.Take(dates.Count / 2).ToHashSet(StringComparer.Ordinal);
        return ([.. indices.Where(i => earlier.Contains(listings[i].Date))], [.. indices.Where(i => !earlier.Contains(listings[i].Date))]);
    }

    /// <summary>Categories with an official name and at least <paramref name="minPerHalf"/> listings in each pool, minus the excluded ones.</summary>
    public static List<SimulatedSubscriber> SelectSubscribers(IReadOnlyList<EvalListing> listings, int[] feedbackPool, int[] testPool,
        int minPerHalf, IReadOnlyCollection<string> excluded) =>
        [.. ArxivCategoryNames.Names.Keys
            .Where(c => !excluded.Contains(c)
                        && feedbackPool.Count(i => listings[i].Categories.Contains(c)) >= minPerHalf
                        && testPool.Count(i => listings[i].Categories.Contains(c)) >= minPerHalf)
            .Order(StringComparer.Ordinal)
            .Select(c => new SimulatedSubscriber(c, ArxivCategoryNames.Names[c]))];

    /// <summary>
    /// Units for <paramref name="seeds"/> seeds × the subscribers. Feedback events alternate between a listing drawn
    /// from the subscriber's relevant ones in the feedback pool and one drawn uniformly from the whole feedback pool,
    /// never one already shown to them. Each candidate set is a uniform <see cref="DeliveredEvaluationOptions.SetSize"/>-subset
    /// of the test pool, redrawn until its relevant count is within the bounds. A subscriber for whom that is not
    /// possible (too few relevant listings in either pool) gets no units, and <paramref name="log"/> says so.
    /// </summary>
    public static Protocol Build(IReadOnlyList<EvalListing> listings, int[] feedbackPool, int[] testPool, IReadOnlyList<SimulatedSubscriber> subscribers,
        IReadOnlyList<float[]> interests, int seeds, int sets, int seedBase, int events, DeliveredEvaluationOptions options, Action<string>? log = null)
    {
        var relevant = subscribers.Select(s => listings.Select(l => l.Categories.Contains(s.Category)).ToArray()).ToArray();
        var units = new List<ProtocolUnit>();
        for (var s = 0; s < subscribers.Count; s++)
        {
            var isRelevant = relevant[s];
            var relevantFeedback = feedbackPool.Where(i => isRelevant[i]).ToArray();
            var needed = (events + 1) / 2;
            if (relevantFeedback.Length < needed || feedbackPool.Length < events)
            {
                log?.Invoke($"  {subscribers[s].Category}: {relevantFeedback.Length} relevant listings in a feedback pool of {feedbackPool.Length}, {events} events need {needed}: left out");
                continue;
            }

            var drawn = new List<ProtocolUnit>();
            for (var seed = 0; seed < seeds && drawn.Count == seed; seed++)
            {
                var shown = DrawFeedback(new Random(Mix(seedBase, seed, s, 1)), relevantFeedback, feedbackPool, events);
                var flipRandom = new Random(Mix(seedBase, seed, s, 2));
                var flips = shown.Select(_ => flipRandom.NextDouble()).ToArray();
                var candidateSets = DrawCandidateSets(new Random(Mix(seedBase, seed, s, 3)), testPool, isRelevant, sets, options);
                if (candidateSets is null)
                    log?.Invoke($"  {subscribers[s].Category}: no {options.SetSize}-subset of the {testPool.Length} test listings with {options.MinRelevantInSet}–{options.MaxRelevantInSet} relevant in {options.MaxDrawsPerSet} draws: left out");
                else
                    drawn.Add(new ProtocolUnit(seed, s, shown, flips, candidateSets));
            }

            if (drawn.Count == seeds)
                units.AddRange(drawn);
        }

        return new Protocol(listings, feedbackPool, testPool, subscribers, interests, [.. units.OrderBy(u => u.Seed).ThenBy(u => u.Subscriber)], relevant);
    }

    private static int[] DrawFeedback(Random random, int[] relevantFeedback, int[] feedbackPool, int events)
    {
        var used = new HashSet<int>();
        var shown = new int[events];
        for (var e = 0; e < events; e++)
        {
            var from = e % 2 == 0 ? relevantFeedback : feedbackPool;
            int pick;
            do
                pick = from[random.Next(from.Length)];
            while (!used.Add(pick));
            shown[e] = pick;
        }

        return shown;
    }

    private static int[][]? DrawCandidateSets(Random random, int[] testPool, bool[] isRelevant, int sets, DeliveredEvaluationOptions options)
    {
        if (testPool.Length < options.SetSize)
            return null;
        var order = (int[])testPool.Clone();
        var result = new int[sets][];
        for (var k = 0; k < sets; k++)
        {
            for (var attempt = 0; ; attempt++)
            {
                if (attempt == options.MaxDrawsPerSet)
                    return null;
                // Partial Fisher–Yates: the first SetSize entries become a uniform subset, whatever the array's order was.
                for (var i = 0; i < options.SetSize; i++)
                {
                    var j = i + random.Next(order.Length - i);
                    (order[i], order[j]) = (order[j], order[i]);
                }

                var count = 0;
                for (var i = 0; i < options.SetSize; i++)
                    count += isRelevant[order[i]] ? 1 : 0;
                if (count >= options.MinRelevantInSet && count <= options.MaxRelevantInSet)
                {
                    result[k] = order[..options.SetSize];
                    break;
                }
            }
        }

        return result;
    }

    private static int Mix(int seedBase, int seed, int subscriber, int stream) =>
        unchecked((((seedBase * 1_000_003) + seed) * 7919 + subscriber) * 104_729 + stream);
}
