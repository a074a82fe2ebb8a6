using Platform.Scoring.Models;
using Platform.Scoring.Torch;
using static TorchSharp.torch;

namespace Scoring.Tests.Models;

/// <summary>Batched scoring (chunked matrix products, threshold and top-k on the device) against the one-listing path.</summary>
public sealed class ScoreBatchTests
{
    private const int Dimension = 384;

    [Theory]
    [InlineData(ScalarType.Float32, 1e-5)]
    [InlineData(ScalarType.BFloat16, 1e-2)]
    public void Batched_scores_match_one_listing_at_a_time_across_chunks(ScalarType storage, double tolerance)
    {
        TorchRuntime.EnsureLoaded();
        var random = new Random(9);
        float[] Vector() => [.. Enumerable.Range(0, Dimension).Select(_ => (float)(random.NextDouble() - 0.5))];
        using var exact = new SubscriberVectorIndex(Dimension, CPU);
        using var index = new SubscriberVectorIndex(Dimension, CPU, storage) { ChunkRows = 97 }; // several chunks
        for (var i = 0; i < 500; i++)
        {
            var id = Guid.NewGuid();
            var v = Vector();
            exact.Upsert(id, v);
            index.Upsert(id, v);
        }

        var listings = Enumerable.Range(0, 7).Select(_ => Platform.Scoring.Rewards.PreferenceLearner.Unit(Vector())).ToList();
        using var scope = NewDisposeScope();
        var batch = tensor(listings.SelectMany(v => v).ToArray(), [listings.Count, Dimension]);

        var results = index.ScoreBatch(batch, minScore: 0.05f, topK: 20);

        Assert.Equal(listings.Count, results.Length);
        for (var b = 0; b < listings.Count; b++)
        {
            var expected = exact.ScoreAll(listings[b], 0.05f, 20);
            Assert.Equal(expected.Count, results[b].Count);
            for (var i = 0; i < expected.Count; i++)
                Assert.Equal(expected[i].Score, results[b][i].Score, tolerance);
            if (storage == ScalarType.Float32)
                Assert.Equal(expected.Select(s => s.SubscriberId), results[b].Select(s => s.SubscriberId));
        }
    }
}
