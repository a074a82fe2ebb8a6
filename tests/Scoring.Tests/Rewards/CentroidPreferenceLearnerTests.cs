using Platform.Scoring.Rewards;

namespace Scoring.Tests.Rewards;

/// <summary>The default personal preference model: the stated interest moved toward what was liked, away from what was dismissed.</summary>
public sealed class CentroidPreferenceLearnerTests
{
    private static readonly PreferenceTrainingOptions Options = new();

    private static (Synthetic Data, float[] Interest, List<float[]> Pool, List<bool> Relevant) Scenario(int seed) => PreferenceScenario.Create(seed);

    private static double Auc(float[] direction, List<float[]> pool, List<bool> relevant) => PreferenceScenario.Auc(direction, pool, relevant);

    /// <summary>Alternating likes of topic 1 and dismissals of the others, each label flipped with probability <paramref name="flip"/>.</summary>
    private static List<LabelledListing> Feedback(Synthetic data, int events, double flip, int seed)
    {
        var random = new Random(seed);
        return [.. Enumerable.Range(0, events).Select(i =>
        {
            var liked = i % 2 == 0;
            var listing = liked ? data.Listing(1) : data.Listing(i % 4 == 1 ? 0 : 2 + i % 4);
            return new LabelledListing(listing, random.NextDouble() < flip ? !liked : liked);
        })];
    }

    [Fact]
    public void The_default_preference_model_is_the_centroid_one()
    {
        var (data, interest, _, _) = Scenario(1);
        var feedback = Feedback(data, 10, 0, seed: 1);

        Assert.Equal(PreferenceMethod.Centroid, Options.Method);
        Assert.Equal(CentroidPreferenceLearner.Train(interest, feedback, [], Options).Direction,
            PreferenceLearner.TrainConfigured(interest, feedback, [], Options).Direction);
    }

    [Fact]
    public void Without_feedback_the_preference_is_the_stated_interest()
    {
        var (_, interest, _, _) = Scenario(1);

        var preference = CentroidPreferenceLearner.Train(interest, [], [], Options);

        Assert.Equal(0, preference.Examples);
        Assert.Equal(1.0, Synthetic.Dot(preference.Direction, interest), 5);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    public void Likes_and_dismissals_improve_the_ranking(double flip)
    {
        var (data, interest, pool, relevant) = Scenario(2);

        var trained = CentroidPreferenceLearner.Train(interest, Feedback(data, 30, flip, seed: 5), [], Options);

        var (before, after) = (Auc(interest, pool, relevant), Auc(trained.Direction, pool, relevant));
        Assert.True(after > before + 0.05, $"ε {flip}: AUC before {before:F3}, after {after:F3}");
        Assert.Equal(1.0, Math.Sqrt(trained.Direction.Sum(v => (double)v * v)), 5);
    }

    [Fact]
    public void Feedback_with_30_percent_flipped_labels_moves_toward_the_liked_topic_without_hurting_the_ranking()
    {
        var (data, interest, pool, relevant) = Scenario(2);

        var trained = CentroidPreferenceLearner.Train(interest, Feedback(data, 80, 0.3, seed: 5), [], Options);

        var (before, after) = (Auc(interest, pool, relevant), Auc(trained.Direction, pool, relevant));
        Assert.True(after >= before, $"AUC before {before:F3}, after {after:F3}");
        Assert.True(Synthetic.Dot(trained.Direction, data.Centroid(1)) > Synthetic.Dot(PreferenceLearner.Unit(interest), data.Centroid(1)) + 0.05,
            "the direction did not move toward the liked topic");
    }

    [Fact]
    public void More_feedback_moves_the_direction_further_from_the_stated_interest()
    {
        var (data, interest, _, _) = Scenario(3);
        var feedback = Feedback(data, 60, 0, seed: 2);

        var moved = new[] { 4, 16, 60 }
            .Select(n => 1 - Synthetic.Dot(CentroidPreferenceLearner.Train(interest, feedback[..n], [], Options).Direction, interest))
            .ToArray();

        Assert.True(moved[0] > 0 && moved[0] < moved[1] && moved[1] < moved[2], $"1 − cosine to the interest: {string.Join(", ", moved)}");
    }

    [Fact]
    public void A_single_contrary_event_does_not_overturn_the_stated_interest()
    {
        var (data, interest, _, _) = Scenario(4);

        var trained = CentroidPreferenceLearner.Train(interest, [new LabelledListing(data.Listing(5), Liked: true)], [], Options);

        Assert.True(Synthetic.Dot(trained.Direction, interest) > 0.9, $"cosine to the interest {Synthetic.Dot(trained.Direction, interest):F3}");
    }

    [Fact]
    public void Bradley_Terry_pairs_alone_improve_the_ranking()
    {
        var (data, interest, pool, relevant) = Scenario(5);
        var pairs = Enumerable.Range(0, 20).Select(i => new PreferencePair(data.Listing(1), data.Listing(i % 2 == 0 ? 0 : 3))).ToList();

        var trained = CentroidPreferenceLearner.Train(interest, [], pairs, Options);

        Assert.True(Auc(trained.Direction, pool, relevant) > Auc(interest, pool, relevant) + 0.05);
    }

    [Fact]
    public void Only_the_most_recent_examples_count_and_the_like_probability_follows_the_feedback()
    {
        var (data, interest, _, _) = Scenario(6);
        var old = Enumerable.Range(0, 20).Select(_ => new LabelledListing(data.Listing(5), Liked: true)).ToList();
        var recent = Feedback(data, 10, 0, seed: 3);

        var trained = CentroidPreferenceLearner.Train(interest, [.. old, .. recent], [], Options with { MaxExamples = 10 });
        var calibrated = LikeCalibration.Calibrate(trained, recent, [], Options);

        Assert.Equal(10, trained.Examples);
        Assert.Equal(CentroidPreferenceLearner.Train(interest, recent, [], Options).Direction, trained.Direction);
        var liked = calibrated.LikeProbability(Synthetic.Dot(calibrated.Direction, data.Listing(1)), Options.Scale);
        var dismissed = calibrated.LikeProbability(Synthetic.Dot(calibrated.Direction, data.Listing(3)), Options.Scale);
        Assert.True(liked > 0.5 && dismissed < 0.5, $"p(like) {liked:F3} for the liked topic, {dismissed:F3} for a dismissed one");
    }

    [Fact]
    public void A_vector_of_the_wrong_dimension_is_refused()
    {
        var (data, interest, _, _) = Scenario(7);

        Assert.Throws<ArgumentException>(() => CentroidPreferenceLearner.Train(interest, [new LabelledListing(data.Listing(1)[..100], true)], [], Options));
    }
}
