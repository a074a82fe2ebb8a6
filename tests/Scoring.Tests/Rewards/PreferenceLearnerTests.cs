using Platform.Scoring.Rewards;

namespace Scoring.Tests.Rewards;

/// <summary>The personal preference model with real TorchSharp training.</summary>
public sealed class PreferenceLearnerTests
{
    private static (Synthetic Data, float[] Interest, List<float[]> Pool, List<bool> Relevant) Scenario(int seed) => PreferenceScenario.Create(seed);

    private static double Auc(float[] direction, List<float[]> pool, List<bool> relevant) => PreferenceScenario.Auc(direction, pool, relevant);

    [Fact]
    public void Without_feedback_the_preference_is_the_stated_interest()
    {
        var (_, interest, _, _) = Scenario(1);
        var preference = PreferenceLearner.Train(interest, [], [], new PreferenceTrainingOptions());
        Assert.Equal(0, preference.Examples);
        Assert.Equal(1.0, Synthetic.Dot(preference.Direction, interest), 5);
    }

    [Fact]
    public void Likes_and_dismissals_improve_the_subscribers_ranking()
    {
        var (data, interest, pool, relevant) = Scenario(2);
        var feedback = new List<LabelledListing>();
        for (var i = 0; i < 15; i++)
        {
            feedback.Add(new LabelledListing(data.Listing(1), Liked: true));
            feedback.Add(new LabelledListing(data.Listing(i % 2 == 0 ? 0 : 2 + i % 4), Liked: false));
        }

        var before = Auc(interest, pool, relevant);
        var trained = PreferenceLearner.Train(interest, feedback, [], new PreferenceTrainingOptions());
        var after = Auc(trained.Direction, pool, relevant);

        Assert.True(after > before + 0.1, $"AUC before {before:F3}, after {after:F3}");
        Assert.True(after > 0.95, $"AUC after {after:F3}");
        // Calibrated: a liked-topic listing is more likely to be liked than a stated-but-unliked one.
        var liked = trained.LikeProbability(Synthetic.Dot(trained.Direction, data.Listing(1)), 10f);
        var unliked = trained.LikeProbability(Synthetic.Dot(trained.Direction, data.Listing(0)), 10f);
        Assert.True(liked > 0.5 && unliked < 0.5, $"p(like) {liked:F3} vs {unliked:F3}");
    }

    [Fact]
    public void Bradley_Terry_pairs_alone_improve_the_ranking()
    {
        var (data, interest, pool, relevant) = Scenario(3);
        var pairs = Enumerable.Range(0, 20).Select(i => new PreferencePair(data.Listing(1), data.Listing(i % 2 == 0 ? 0 : 3))).ToList();

        var trained = PreferenceLearner.Train(interest, [], pairs, new PreferenceTrainingOptions());

        Assert.True(Auc(trained.Direction, pool, relevant) > Auc(interest, pool, relevant) + 0.1);
    }

    [Fact]
    public void Regularisation_keeps_a_single_contrary_event_from_overturning_the_stated_interest()
    {
        var (data, interest, _, _) = Scenario(4);
        var trained = PreferenceLearner.Train(interest, [new LabelledListing(data.Listing(5), Liked: true)], [], new PreferenceTrainingOptions());
        Assert.True(Synthetic.Dot(trained.Direction, interest) > 0.9);
    }

    [Fact]
    public void Noise_corrected_loss_is_less_swayed_by_flipped_labels()
    {
        // A third of the labels are flipped. The corrected loss bounds each example's pull, so the
        // learned direction stays closer to the true taste than with the plain loss.
        var (data, interest, pool, relevant) = Scenario(5);
        var random = new Random(5);
        var feedback = new List<LabelledListing>();
        for (var i = 0; i < 60; i++)
        {
            var topic = i % 2 == 0 ? 1 : random.Next(6);
            feedback.Add(new LabelledListing(data.Listing(topic), (topic == 1) ^ (random.NextDouble() < 0.3)));
        }

        var plain = PreferenceLearner.Train(interest, feedback, [], new PreferenceTrainingOptions { LabelNoise = 0 });
        var corrected = PreferenceLearner.Train(interest, feedback, [], new PreferenceTrainingOptions { LabelNoise = 0.3f });

        Assert.True(Auc(corrected.Direction, pool, relevant) >= Auc(plain.Direction, pool, relevant) - 0.01,
            $"corrected {Auc(corrected.Direction, pool, relevant):F3}, plain {Auc(plain.Direction, pool, relevant):F3}");
        Assert.True(Auc(corrected.Direction, pool, relevant) > Auc(interest, pool, relevant));
    }
}
