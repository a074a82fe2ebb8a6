using Platform.Scoring.Rewards;

namespace Platform.Scoring.Evaluation.Delivered;

/// <summary>
/// The novelty reward each listing would get from the service if the listings arrived in <c>stream</c> order: the
/// consumer's own steps — batches of 64, <see cref="NoveltyTracker.NoveltyOfBatch"/> against the last
/// <see cref="ScoringOptions.NoveltyWindow"/> listings and the batch's earlier ones, then each listing added.
/// </summary>
public static class StreamNovelty
{
    public static float[] Compute(IReadOnlyList<int> stream, IReadOnlyList<float[]> units, ScoringOptions settings, int batchSize = 64)
    {
        var novelty = new float[units.Count];
        using var tracker = new NoveltyTracker(settings.Dimension, settings.NoveltyWindow);
        foreach (var batch in stream.Chunk(batchSize))
        {
            var values = tracker.NoveltyOfBatch([.. batch.Select(i => units[i])]);
            for (var k = 0; k < batch.Length; k++)
            {
                novelty[batch[k]] = values[k];
                tracker.Add(units[batch[k]]);
            }
        }

        return novelty;
    }
}
