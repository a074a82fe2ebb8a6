using Platform.Scoring.Models;
using Platform.Scoring.Torch;

namespace Scoring.Tests.Models;

public sealed class SubscriberVectorIndexTests
{
    private const int Dimension = 384;
    private readonly Random _random = new(42);

    [Fact]
    public void ScoreAll_matches_plain_cosine_similarity_and_sorts_descending()
    {
        using var index = NewIndex();
        var vectors = Enumerable.Range(0, 300).ToDictionary(_ => Guid.NewGuid(), _ => RandomVector());
        foreach (var (id, vector) in vectors)
        {
            index.Upsert(id, vector);
        }

        var listing = RandomVector();
        var scores = index.ScoreAll(listing);

        Assert.Equal(vectors.Count, scores.Count);
        Assert.Equal(vectors.Keys.Order(), scores.Select(s => s.SubscriberId).Order());
        foreach (var score in scores)
        {
            Assert.Equal(Cosine(vectors[score.SubscriberId], listing), score.Score, 1e-5);
        }

        Assert.Equal(scores.OrderByDescending(s => s.Score).Select(s => s.Score), scores.Select(s => s.Score));
    }

    [Fact]
    public void Upsert_replaces_the_vector_of_a_known_subscriber()
    {
        using var index = NewIndex();
        var id = Guid.NewGuid();
        var listing = RandomVector();
        index.Upsert(id, Negated(listing));

        index.Upsert(id, Scaled(listing, 3f));

        var only = Assert.Single(index.ScoreAll(listing));
        Assert.Equal(1, index.Count);
        Assert.Equal(id, only.SubscriberId);
        Assert.Equal(1f, only.Score, 1e-5);
    }

    [Fact]
    public void Remove_moves_the_last_row_into_the_gap_without_changing_any_score()
    {
        using var index = NewIndex();
        var vectors = Enumerable.Range(0, 5).ToDictionary(_ => Guid.NewGuid(), _ => RandomVector());
        foreach (var (id, vector) in vectors)
        {
            index.Upsert(id, vector);
        }

        var removed = vectors.Keys.ElementAt(1);

        Assert.True(index.Remove(removed));
        Assert.False(index.Remove(removed));
        Assert.False(index.Remove(Guid.NewGuid()));

        var listing = RandomVector();
        var scores = index.ScoreAll(listing);
        Assert.Equal(4, index.Count);
        Assert.DoesNotContain(scores, s => s.SubscriberId == removed);
        foreach (var score in scores)
        {
            Assert.Equal(Cosine(vectors[score.SubscriberId], listing), score.Score, 1e-5);
        }

        var last = vectors.Keys.Last();
        index.Upsert(last, Negated(listing));
        Assert.Equal(-1f, index.ScoreAll(listing).Single(s => s.SubscriberId == last).Score, 1e-5);
    }

    [Fact]
    public void ScoreAll_applies_the_threshold_and_top_k()
    {
        using var index = NewIndex();
        var listing = RandomVector();
        var vectors = Enumerable.Range(0, 50).ToDictionary(_ => Guid.NewGuid(), _ => Blend(listing, RandomVector(), _random.NextSingle()));
        foreach (var (id, vector) in vectors)
        {
            index.Upsert(id, vector);
        }

        var expected = vectors.Select(v => (Id: v.Key, Score: Cosine(v.Value, listing))).OrderByDescending(v => v.Score).ToList();
        var threshold = (float)((expected[20].Score + expected[21].Score) / 2); // 21 subscribers clear it

        var aboveThreshold = index.ScoreAll(listing, minScore: threshold);
        Assert.Equal(expected.Take(21).Select(e => e.Id), aboveThreshold.Select(s => s.SubscriberId));
        Assert.All(aboveThreshold, s => Assert.True(s.Score >= threshold));

        Assert.Equal(expected.Take(7).Select(e => e.Id), index.ScoreAll(listing, topK: 7).Select(s => s.SubscriberId));
        Assert.Equal(expected.Take(5).Select(e => e.Id), index.ScoreAll(listing, minScore: threshold, topK: 5).Select(s => s.SubscriberId));
        Assert.Equal(21, index.ScoreAll(listing, minScore: threshold, topK: 100).Count);
        Assert.Empty(index.ScoreAll(listing, minScore: 1.5f));
        Assert.Empty(index.ScoreAll(listing, topK: 0));
    }

    [Fact]
    public void ScoreAll_on_an_empty_index_is_empty()
    {
        using var index = NewIndex();
        Assert.Empty(index.ScoreAll(RandomVector()));
    }

    [Fact]
    public void Ten_thousand_subscribers_of_384_dimensions_score_like_a_brute_force_search()
    {
        using var index = NewIndex();
        var ids = new Guid[10_000];
        var vectors = new float[ids.Length][];
        for (var i = 0; i < ids.Length; i++)
        {
            ids[i] = Guid.NewGuid();
            vectors[i] = RandomVector();
            index.Upsert(ids[i], vectors[i]);
        }

        var listing = RandomVector();
        var top = index.ScoreAll(listing, topK: 10);

        Assert.Equal(10_000, index.Count);
        var expected = Enumerable.Range(0, ids.Length).OrderByDescending(i => Cosine(vectors[i], listing)).Take(10).Select(i => ids[i]);
        Assert.Equal(expected, top.Select(s => s.SubscriberId));
        Assert.Equal(10_000, index.ScoreAll(listing).Count);
    }

    [Fact]
    public void Vectors_of_the_wrong_dimension_or_without_direction_are_rejected()
    {
        using var index = NewIndex();

        Assert.Throws<ArgumentException>(() => index.Upsert(Guid.NewGuid(), new float[Dimension - 1]));
        Assert.Throws<ArgumentException>(() => index.Upsert(Guid.NewGuid(), new float[Dimension]));
        Assert.Throws<ArgumentException>(() => index.ScoreAll(new float[Dimension + 1]));
        Assert.Throws<ArgumentException>(() => index.ScoreAll(RandomVector(), minScore: float.NaN));
        Assert.Equal(0, index.Count);
    }

    [Fact]
    public void A_disposed_index_refuses_work()
    {
        var index = NewIndex();
        index.Dispose();
        index.Dispose();

        Assert.Throws<ObjectDisposedException>(() => index.Upsert(Guid.NewGuid(), RandomVector()));
        Assert.Throws<ObjectDisposedException>(() => index.ScoreAll(RandomVector()));
    }

    // SelectDevice loads TorchSharp first: touching torch.CPU before TorchRuntime.EnsureLoaded can fail for good on Debian 12.
    private static SubscriberVectorIndex NewIndex() => new(Dimension, TorchRuntime.SelectDevice("cpu"));

    private static double Cosine(float[] a, float[] b)
    {
        double dot = 0, aa = 0, bb = 0;
        for (var i = 0; i < a.Length; i++)
        {
            dot += (double)a[i] * b[i];
            aa += (double)a[i] * a[i];
            bb += (double)b[i] * b[i];
        }

        return dot / Math.Sqrt(aa * bb);
    }

    private static float[] Negated(float[] v) => Scaled(v, -1f);

    private static float[] Scaled(float[] v, float factor) => v.Select(x => x * factor).ToArray();

    private static float[] Blend(float[] a, float[] b, float weight) => a.Zip(b, (x, y) => weight * x + (1 - weight) * y).ToArray();

    private float[] RandomVector() => Enumerable.Range(0, Dimension).Select(_ => _random.NextSingle() * 2f - 1f).ToArray();
}
