using Platform.Scoring.Evaluation;

namespace Scoring.Tests.Rewards;

/// <summary>
/// The subscriber of the preference-model tests: they state a mix of topics 0 and 1 (mostly 0), but what they actually
/// like is topic 1; the pool holds 20 listings of each of 6 topics, the relevant ones being topic 1's.
/// </summary>
internal static class PreferenceScenario
{
    public static (Synthetic Data, float[] Interest, List<float[]> Pool, List<bool> Relevant) Create(int seed)
    {
        var data = new Synthetic(seed);
        var interest = Synthetic.Mix(data.Centroid(0), data.Centroid(1), 0.35f);
        var pool = new List<float[]>();
        var relevant = new List<bool>();
        for (var topic = 0; topic < 6; topic++)
        for (var i = 0; i < 20; i++)
        {
            pool.Add(data.Listing(topic));
            relevant.Add(topic == 1);
        }
        return (data, interest, pool, relevant);
    }

    /// <summary>How well ranking the pool by cosine with <paramref name="direction"/> puts topic 1 first.</summary>
    public static double Auc(float[] direction, List<float[]> pool, List<bool> relevant) =>
        Metrics.Auc([.. pool.Select(v => Synthetic.Dot(direction, v))], relevant);
}
