using Platform.Scoring.Evaluation;
using Platform.Scoring.Evaluation.Delivered;
using Platform.Scoring.Rewards;
using Scoring.Tests.Rewards;

namespace Scoring.Tests.Evaluation;

/// <summary>The reference model of the delivered evaluation: an exact optimum of its stated loss, and what its two knobs do.</summary>
public sealed class PulledLogisticRegressionTests
{
    private readonly Synthetic _data = new(51);

    [Theory]
    [InlineData(0.1, 3.0)]
    [InlineData(3.0, 0.0)]
    [InlineData(0.01, 30.0)]
    public void The_fit_is_a_stationary_point_of_the_full_loss_in_every_dimension(double lambda, double alpha)
    {
        var (x, y) = Feedback(30);
        var prior = PreferenceLearner.Unit(_data.Centroid(0));

        var (w, b) = PulledLogisticRegression.Fit(x, y, prior, lambda, alpha);

        // ∂/∂w = Σ (σ(w·x + b) − y) x + 2λ(w − α·u₀) and ∂/∂b = Σ (σ − y): the subspace solver must zero the gradient in all 384 dimensions.
        var gradient = w.Select((wj, j) => 2 * lambda * (wj - alpha * prior[j])).ToArray();
        var gradientB = 0.0;
        for (var i = 0; i < x.Count; i++)
        {
            var residual = 1 / (1 + Math.Exp(-(x[i].Select((v, j) => v * w[j]).Sum() + b))) - (y[i] ? 1 : 0);
            gradientB += residual;
            for (var j = 0; j < w.Length; j++)
                gradient[j] += residual * x[i][j];
        }

        Assert.True(gradient.Max(Math.Abs) < 1e-6, $"largest gradient component {gradient.Max(Math.Abs):E2}");
        Assert.True(Math.Abs(gradientB) < 1e-6, $"bias gradient {gradientB:E2}");
    }

    [Fact]
    public void A_strong_pull_keeps_w_at_alpha_times_the_interest_and_a_weak_one_learns_the_liked_topic()
    {
        var (x, y) = Feedback(40);
        var prior = PreferenceLearner.Unit(Synthetic.Mix(_data.Centroid(0), _data.Centroid(1), 0.3f)); // says topic 0, likes topic 1

        var (pinned, _) = PulledLogisticRegression.Fit(x, y, prior, lambda: 1e7, alpha: 5);
        var (learned, _) = PulledLogisticRegression.Fit(x, y, prior, lambda: 0.1, alpha: 1);

        Assert.True(pinned.Select((v, j) => Math.Abs(v - 5 * prior[j])).Max() < 1e-4);
        var heldOut = Enumerable.Range(0, 60).Select(i => (Vector: _data.Listing(i % 2), Liked: i % 2 == 1)).ToList();
        double Auc(double[] direction) => Metrics.Auc([.. heldOut.Select(h => (float)h.Vector.Select((v, j) => v * direction[j]).Sum())], [.. heldOut.Select(h => h.Liked)]);
        Assert.True(Auc(pinned) < 0.3, $"the stated interest prefers topic 0: AUC {Auc(pinned):F3}");
        Assert.True(Auc(learned) > 0.95, $"after 40 labelled listings: AUC {Auc(learned):F3}");
    }

    [Fact]
    public void Feedback_of_one_class_gives_a_finite_fit_and_none_gives_the_pull()
    {
        var prior = PreferenceLearner.Unit(_data.Centroid(2));
        var liked = Enumerable.Range(0, 5).Select(_ => _data.Listing(2)).ToList();

        var (w, b) = PulledLogisticRegression.Fit(liked, [.. liked.Select(_ => true)], prior, 1, 2);
        var (empty, emptyBias) = PulledLogisticRegression.Fit([], [], prior, 1, 2);

        Assert.All(w, v => Assert.True(double.IsFinite(v)));
        Assert.True(double.IsFinite(b) && b > 0);
        Assert.Equal(prior.Select(p => 2.0 * p), empty);
        Assert.Equal(0, emptyBias);
    }

    /// <summary>Listings of topics 0 and 1 alternately; topic 1 liked, with one label in ten flipped.</summary>
    private (List<float[]> X, List<bool> Y) Feedback(int count)
    {
        var x = Enumerable.Range(0, count).Select(i => _data.Listing(i % 2)).ToList();
        return (x, [.. Enumerable.Range(0, count).Select(i => (i % 2 == 1) ^ (i % 10 == 3))]);
    }
}
