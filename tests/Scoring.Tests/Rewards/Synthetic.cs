using Platform.Scoring.Rewards;

namespace Scoring.Tests.Rewards;

/// <summary>Unit vectors in topic clusters: a listing is its topic's centroid plus noise, so cosine tracks topic.</summary>
public sealed class Synthetic(int seed, int dimension = 384, int topics = 6, double spread = 1.2)
{
    private readonly Random _random = new(seed);
    private readonly float[][] _centroids = Centroids(seed, dimension, topics);

    public int Dimension => dimension;

    public float[] Centroid(int topic) => _centroids[topic];

    public float[] Listing(int topic)
    {
        var noise = Gaussian(_random, dimension);
        var scale = spread / Math.Sqrt(dimension);
        return PreferenceLearner.Unit([.. _centroids[topic].Select((c, i) => (float)(c + scale * noise[i]))]);
    }

    public static float[] Mix(float[] a, float[] b, float weightOfB) =>
        PreferenceLearner.Unit([.. a.Select((v, i) => v * (1 - weightOfB) + b[i] * weightOfB)]);

    public static float Dot(float[] a, float[] b) => a.Select((v, i) => v * b[i]).Sum();

    private static float[][] Centroids(int seed, int dimension, int topics)
    {
        var random = new Random(seed * 31 + 7);
        return [.. Enumerable.Range(0, topics).Select(_ => PreferenceLearner.Unit(Gaussian(random, dimension)))];
    }

    private static float[] Gaussian(Random random, int n) =>
        [.. Enumerable.Range(0, n).Select(_ => (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble())))];
}
