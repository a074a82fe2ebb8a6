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

    [Fact]
    public void A_safetensors_export_imports_with_identical_scores()
    {
        var data = new Synthetic(12);
        using var model = new QualityModel();
        model.Train(Feedback(data), new QualityTrainingOptions());
        var probe = Enumerable.Range(0, 6).Select(t => data.Listing(t)).ToList();

        using var imported = QualityModel.Import(model.Export()!);

        Assert.Equal(model.Predict(probe), QualityModel.PredictWith(imported, probe));
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

        Assert.Equal(QualityModel.PredictWith(net, probe), QualityModel.PredictWith(imported, probe));
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
        var weights = new RewardWeights();
        Assert.Equal(0.42, weights.Combine(0.42, quality: 0.5, novelty: 1.0), 12);
        Assert.Equal(0.42 + weights.QualityCap, weights.Combine(0.42, quality: 1.0, novelty: 1.0), 12);
        Assert.Equal(0.42 - weights.QualityCap, weights.Combine(0.42, quality: 0.0, novelty: 1.0), 12);
        Assert.Equal(0.42 - weights.NoveltyCap, weights.Combine(0.42, quality: 0.5, novelty: 0.0), 12);
        Assert.Equal(0.42, weights.Combine(0.42, quality: 0.5, novelty: 0.2), 12); // only near-duplicates are penalised
    }
}
