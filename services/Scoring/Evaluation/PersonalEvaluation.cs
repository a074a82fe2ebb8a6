using Platform.Scoring.Rewards;

namespace Platform.Scoring.Evaluation;

public sealed record PersonalEvaluationOptions
{
    public int[] FeedbackCounts { get; init; } = [0, 5, 20, 50];
    public int Seeds { get; init; } = 5;
    public int SubscribersPerSeed { get; init; } = 40;
    public int PoolSize { get; init; } = 200;
    public int MinRelevantInPool { get; init; } = 5;
    /// <summary>Share of dates (oldest first) whose listings can be shown as feedback; later ones form the pools.</summary>
    public double TrainShare { get; init; } = 0.7;
    public double[] LabelNoise { get; init; } = [0.1, 0.3];
    /// <summary>Probability that a shown listing is drawn from the subscriber's relevant ones rather than at random.</summary>
    public double RelevantShownShare { get; init; } = 0.5;
    public double TwoCategoryShare { get; init; } = 0.3;
    public int MinTrainPerCategory { get; init; } = 30;
    public int MinTestPerCategory { get; init; } = 10;
    public PreferenceTrainingOptions Preference { get; init; } = new();
}

/// <summary>One method's mean metrics at one feedback count and noise level (NaN-free averages over subscribers).</summary>
public sealed record PersonalResult(string Method, double Noise, int Feedback, double Ndcg10, double PairwiseAccuracy, double Auc, int Subscribers);

/// <summary>
/// Calibration of one method's like probability at one feedback count and noise level, over every (subscriber, pool
/// listing) pair: against the listing's true relevance, and against the label the subscriber would give it (relevance
/// flipped with probability ε, as an expected value).
/// </summary>
public sealed record CalibrationResult(string Method, double Noise, int Feedback, CalibrationReport Relevance, CalibrationReport NoisyLabel);

/// <summary>Ranking metrics and the calibration of the published like probability.</summary>
public sealed record PersonalEvaluationReport(IReadOnlyList<PersonalResult> Ranking, IReadOnlyList<CalibrationResult> Calibration);

/// <summary>
/// Simulated subscribers (see ../shared/data/README.md): interest sentence = the official arXiv name of one or two
/// categories; a listing is relevant when its categories meet theirs. Feedback = likes on relevant and dismissals on
/// irrelevant listings shown from the earlier dates, labels flipped with probability ε; the pool to rank is drawn
/// from the later dates. Methods see the same subscribers, pools and feedback.
/// </summary>
public static class PersonalEvaluation
{
    public const string Random = "random";
    public const string TfIdfSvm = "tfidf+svm";
    public const string Rewards = "rewards (noise-corrected)";
    public const string RewardsPlain = "rewards (plain loss)";

    public static PersonalEvaluationReport Run(IReadOnlyList<EvalListing> listings, IReadOnlyList<float[]> vectors,
        Func<IReadOnlyList<string>, float[][]> embedInterests, PersonalEvaluationOptions options, Action<string>? log = null)
    {
        var dates = listings.Select(l => l.Date).Distinct().Order(StringComparer.Ordinal).ToList();
        var cutoff = dates[Math.Clamp((int)(dates.Count * options.TrainShare), 1, dates.Count - 1)];
        var train = Enumerable.Range(0, listings.Count).Where(i => string.CompareOrdinal(listings[i].Date, cutoff) < 0).ToArray();
        var test = Enumerable.Range(0, listings.Count).Where(i => string.CompareOrdinal(listings[i].Date, cutoff) >= 0).ToArray();
        var categories = ArxivCategoryNames.Names.Keys
            .Where(c => train.Count(i => listings[i].Categories.Contains(c)) >= options.MinTrainPerCategory
                        && test.Count(i => listings[i].Categories.Contains(c)) >= options.MinTestPerCategory)
            .Order(StringComparer.Ordinal).ToList();
        log?.Invoke($"time split at {cutoff}: {train.Length} feedback candidates, {test.Length} pool candidates; {categories.Count} categories: {string.Join(' ', categories)}");

        var tfidf = TfIdf.Fit(listings.Select(Text));
        var sparse = listings.Select(l => tfidf.Transform(Text(l))).ToArray();
        var maxFeedback = options.FeedbackCounts.Max();

        // Subscribers and their fixed streams, so every method sees the same inputs.
        var subscribers = new List<(string[] Cats, string Interest, int[] Pool, int[] Shown)>();
        for (var seed = 0; seed < options.Seeds; seed++)
        {
            var rng = new Random(1000 + seed);
            for (var s = 0; s < options.SubscribersPerSeed; s++)
            {
                var cats = rng.NextDouble() < options.TwoCategoryShare
                    ? rng.GetItems(categories.ToArray(), 2).Distinct().ToArray()
                    : [categories[rng.Next(categories.Count)]];
                var interest = string.Join(" and ", cats.Select(c => ArxivCategoryNames.Names[c]).Distinct());
                bool Relevant(int i) => listings[i].Categories.Any(cats.Contains);
                var pool = rng.GetItems(test, options.PoolSize).Distinct().ToList();
                var relevantTest = test.Where(Relevant).ToArray();
                var present = pool.Count(Relevant);
                while (present < options.MinRelevantInPool && present < relevantTest.Length)
                {
                    var add = relevantTest[rng.Next(relevantTest.Length)];
                    if (pool.Contains(add))
                        continue;
                    var replace = pool.FindIndex(i => !Relevant(i));
                    pool[replace] = add;
                    present++;
                }

                var relevantTrain = train.Where(Relevant).ToArray();
                var shown = Enumerable.Range(0, maxFeedback)
                    .Select(_ => rng.NextDouble() < options.RelevantShownShare ? relevantTrain[rng.Next(relevantTrain.Length)] : train[rng.Next(train.Length)])
                    .ToArray();
                subscribers.Add((cats, interest, [.. pool], shown));
            }
        }

        var interestVectors = embedInterests([.. subscribers.Select(s => s.Interest)]);
        var results = new List<PersonalResult>();
        var calibration = new List<CalibrationResult>();
        foreach (var noise in options.LabelNoise)
        {
            var perMethod = new Dictionary<(string, int), List<(double, double, double)>>();
            var probabilities = new Dictionary<(string, int), (List<double> P, List<double> Y, List<double> Noisy)>();
            for (var si = 0; si < subscribers.Count; si++)
            {
                var (cats, interest, pool, shown) = subscribers[si];
                var labelRng = new Random(si * 7919 + (int)Math.Round(noise * 1000));
                var labels = shown.Select(i => listings[i].Categories.Any(cats.Contains) ^ (labelRng.NextDouble() < noise)).ToArray();
                var gains = pool.Select(i => listings[i].Categories.Any(cats.Contains) ? 1.0 : 0.0).ToArray();
                var positive = gains.Select(g => g > 0).ToArray();
                var interestSparse = tfidf.Transform(interest);
                foreach (var k in options.FeedbackCounts)
                {
                    void Add(string method, float[] scores)
                    {
                        var key = (method, k);
                        if (!perMethod.TryGetValue(key, out var list))
                            perMethod[key] = list = [];
                        list.Add((Metrics.Ndcg(scores, gains, 10), Metrics.PairwiseAccuracy(scores, gains), Metrics.Auc(scores, positive)));
                    }

                    var rng = new Random(si * 104729 + k * 31 + 7);
                    Add(Random, [.. pool.Select(_ => (float)rng.NextDouble())]);

                    // TF-IDF: cold start ranks by similarity to the interest sentence; with feedback, the SVM is trained on
                    // the interest sentence as one positive document plus the labelled listings (arxiv-sanity style).
                    if (k == 0)
                        Add(TfIdfSvm, [.. pool.Select(i => sparse[i].Dot(interestSparse))]);
                    else
                    {
                        var x = new List<SparseVector> { interestSparse };
                        var y = new List<bool> { true };
                        for (var e = 0; e < k; e++)
                        {
                            x.Add(sparse[shown[e]]);
                            y.Add(labels[e]);
                        }

                        var (w, b) = LinearSvm.Train(x, y, tfidf.Features);
                        Add(TfIdfSvm, [.. pool.Select(i => sparse[i].Dot(w) + b)]);
                    }

                    foreach (var (method, eps) in new[] { (Rewards, (float)options.Preference.LabelNoise), (RewardsPlain, 0f) })
                    {
                        var examples = Enumerable.Range(0, k).Select(e => new LabelledListing(vectors[shown[e]], labels[e])).ToList();
                        var preference = PreferenceLearner.Train(interestVectors[si], examples, [], options.Preference with { LabelNoise = eps });
                        var relevance = pool.Select(i => Dot(preference.Direction, vectors[i])).ToArray();
                        Add(method, relevance);
                        if (k == 0)
                            continue; // no like probability is published before the first feedback
                        var variants = new List<(string Name, PreferenceVector Model)> { (method + ", as trained", preference) };
                        if (method == Rewards)
                        {
                            // The production calibration: Platt on the subscriber's own feedback, then the base rate of
                            // the listings being scored (the pool, unlabelled, standing in for recent traffic).
                            var preferenceOptions = options.Preference with { LabelNoise = eps };
                            variants.Add((method + ", Platt", LikeCalibration.Calibrate(preference, examples, [], preferenceOptions)));
                            variants.Add((method + ", Platt + base rate", LikeCalibration.Calibrate(preference, examples, [.. pool.Select(i => vectors[i])], preferenceOptions)));
                        }

                        foreach (var (name, model) in variants)
                        {
                            if (!probabilities.TryGetValue((name, k), out var calibrated))
                                probabilities[(name, k)] = calibrated = ([], [], []);
                            for (var j = 0; j < pool.Length; j++)
                            {
                                calibrated.P.Add(model.LikeProbability(Dot(model.Direction, vectors[pool[j]]), options.Preference.Scale));
                                calibrated.Y.Add(gains[j]);
                                calibrated.Noisy.Add(noise + (1 - 2 * noise) * gains[j]);
                            }
                        }
                    }
                }
            }

            foreach (var ((method, k), list) in perMethod.OrderBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2))
            {
                results.Add(new PersonalResult(method, noise, k,
                    Mean(list.Select(v => v.Item1)), Mean(list.Select(v => v.Item2)), Mean(list.Select(v => v.Item3)), list.Count));
            }

            foreach (var ((method, k), (p, y, noisy)) in probabilities.OrderBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2))
                calibration.Add(new CalibrationResult(method, noise, k, Calibration.Measure(p, y), Calibration.Measure(p, noisy)));

            log?.Invoke($"noise {noise}: {subscribers.Count} subscribers done");
        }

        return new PersonalEvaluationReport(results, calibration);
    }

    public static string Text(EvalListing l) => l.Title + "\n" + l.Abstract;

    public static float Dot(float[] a, float[] b)
    {
        double sum = 0;
        for (var i = 0; i < a.Length; i++)
            sum += (double)a[i] * b[i];
        return (float)sum;
    }

    private static double Mean(IEnumerable<double> values)
    {
        var finite = values.Where(double.IsFinite).ToList();
        return finite.Count == 0 ? double.NaN : finite.Average();
    }
}
