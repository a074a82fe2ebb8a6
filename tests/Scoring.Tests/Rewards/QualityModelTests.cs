using Platform.Scoring.Rewards;
using TorchSharp.PyBridge;

namespace Scoring.Tests.Rewards;

public sealed class QualityModelTests
{
    private static List<ListingFeedback> Feedback(Synthetic data, int perTopic = 15) =>
    [
        .. Enumerable.Range(0, perTopic).Select(_ => new ListingFeedback(data.Listing(2), Positive: 4, Negative: 1)),
        .. Enumerable.Range(0, perTopic).Select(_ => new ListingFeedback(data.Listing(3), Positive: 0, Negative: 3)),
    ];

    [Fact]
    public void Quality_is_neutral_until_trained_and_then_tracks_aggregate_likes()
    {
        var data = new Synthetic(11);
        using var model = new QualityModel();
        Assert.Equal([0.5f, 0.5f], model.Predict([data.Listing(2), data.Listing(3)]));
        Assert.False(model.Train(Feedback(data, perTopic: 5), new QualityTrainingOptions { MinListings = 20 }));
        Assert.Equal("untrained", model.Version);

        Assert.True(model.Train(Feedback(data), new QualityTrainingOptions()));

        var liked = model.Predict([.. Enumerable.Range(0, 10).Select(_ => data.Listing(2))]);
        var dismissed = model.Predict([.. Enumerable.Range(0, 10).Select(_ => data.Listing(3))]);
        Assert.True(liked.Min() > dismissed.Max(), $"liked {liked.Min():F3}, dismissed {dismissed.Max():F3}");
    }

    // The same weights and inputs through LibTorch's CPU kernels: a tensor that lands at another alignment may take
    // another vectorised path and sum its 384 products in another order, a few float32 ulps of the logit (~1e-7);
    // 1e-6 on a probability is that with a wide margin, and far below any difference between two trained networks.
    private const float SameWeightsTolerance = 1e-6f;

    [Fact]
    public void A_safetensors_export_imports_with_identical_weights_and_scores()
    {
        var data = new Synthetic(12);
        var trained = QualityModel.Fit(Feedback(data), new QualityTrainingOptions())!;
        var trainedWeights = Weights(trained);
        using var model = new QualityModel();
        model.Swap(trained); // the model owns the network now
        var probe = Enumerable.Range(0, 6).Select(t => data.Listing(t)).ToList();

        using var imported = QualityModel.Import(model.Export()!);

        AssertSameWeights(trainedWeights, Weights(imported));
        AssertClose(model.Predict(probe), QualityModel.PredictWith(imported, probe));
    }

    [Fact]
    public void A_PyTorch_state_dict_file_imports_with_identical_scores()
    {
        var data = new Synthetic(13);
        using var net = QualityModel.Fit(Feedback(data), new QualityTrainingOptions())!;
        var probe = Enumerable.Range(0, 6).Select(t => data.Listing(t)).ToList();
        using var stream = new MemoryStream();
        net.save_py(stream, leaveOpen: true); // the format torch.save(model.state_dict()) writes

        using var imported = QualityModel.ImportStateDict(stream.ToArray());

        AssertSameWeights(Weights(net), Weights(imported));
        AssertClose(QualityModel.PredictWith(net, probe), QualityModel.PredictWith(imported, probe));
    }

    /// <summary>Every parameter bit for bit: the round trip itself must lose nothing.</summary>
    private static void AssertSameWeights((string Name, float[] Values)[] a, (string Name, float[] Values)[] b)
    {
        Assert.Equal(a.Select(p => p.Name), b.Select(p => p.Name));
        for (var i = 0; i < a.Length; i++)
            Assert.True(a[i].Values.AsSpan().SequenceEqual(b[i].Values), $"parameter {a[i].Name} differs after the round trip");
    }

    private static (string Name, float[] Values)[] Weights(QualityNet net) =>
        [.. net.named_parameters().Select(p => (p.name, p.parameter.data<float>().ToArray()))];

    private static void AssertClose(float[] expected, float[] actual)
    {
        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(MathF.Abs(expected[i] - actual[i]) <= SameWeightsTolerance, $"probe {i}: {expected[i]} vs {actual[i]}");
    }

    [Fact]
    public void A_file_of_another_layout_is_refused()
    {
        Platform.Scoring.Torch.TorchRuntime.EnsureLoaded(); // before any torch call
        using var other = TorchSharp.torch.nn.Linear(10, 3);
        using var stream = new MemoryStream();
        other.save_safetensors(stream);
        Assert.ThrowsAny<Exception>(() => QualityModel.Import(stream.ToArray()));
    }

    [Fact]
    public void Reward_weights_keep_cold_start_scores_equal_to_relevance_and_cap_each_reward()
    {
        // By default the global quality reward stays out of every subscriber's score; a configured weight is capped.
        Assert.Equal(0.42, new RewardWeights().Combine(0.42, quality: 1.0, novelty: 1.0), 12);
        Assert.Equal(0.42, new RewardWeights().Combine(0.42, quality: 0.0, novelty: 1.0), 12);
        var weights = new RewardWeights { Quality = 0.2 };
        Assert.Equal(0.42, weights.Combine(0.42, quality: 0.5, novelty: 1.0), 12);
        Assert.Equal(0.42 + weights.QualityCap, weights.Combine(0.42, quality: 1.0, novelty: 1.0), 12);
        Assert.Equal(0.42 - weights.QualityCap, weights.Combine(0.42, quality: 0.0, novelty: 1.0), 12);
        Assert.Equal(0.42 - weights.NoveltyCap, weights.Combine(0.42, quality: 0.5, novelty: 0.0), 12);
        Assert.Equal(0.42, weights.Combine(0.42, quality: 0.5, novelty: 0.2), 12); // only near-duplicates are penalised
    }
}
