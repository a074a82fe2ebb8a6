using System.Text.RegularExpressions;

namespace Platform.Scoring.Evaluation;

/// <summary>A sparse, L2-normalised vector: sorted feature indices and their values.</summary>
public readonly record struct SparseVector(int[] Indices, float[] Values)
{
    public float Dot(float[] dense)
    {
        double sum = 0;
        for (var i = 0; i < Indices.Length; i++)
            sum += Values[i] * dense[Indices[i]];
        return (float)sum;
    }

    public float Dot(SparseVector other)
    {
        double sum = 0;
        for (int i = 0, j = 0; i < Indices.Length && j < other.Indices.Length;)
        {
            if (Indices[i] == other.Indices[j])
                sum += Values[i++] * other.Values[j++];
            else if (Indices[i] < other.Indices[j])
                i++;
            else
                j++;
        }

        return (float)sum;
    }
}

/// <summary>
/// The arxiv-sanity text features: lower-cased word unigrams and bigrams, sublinear tf, smoothed idf, L2 norm,
/// terms in at least <c>minDf</c> documents of the fitting corpus.
/// </summary>
public sealed partial class TfIdf
{
    private readonly Dictionary<string, int> _vocabulary = [];
    private float[] _idf = [];

    public int Features => _idf.Length;

    public static TfIdf Fit(IEnumerable<string> corpus, int minDf = 2, int maxFeatures = 50_000)
    {
        var df = new Dictionary<string, int>();
        var documents = 0;
        foreach (var text in corpus)
        {
            documents++;
            foreach (var term in Terms(text).Distinct())
                df[term] = df.GetValueOrDefault(term) + 1;
        }

        var model = new TfIdf();
        var kept = df.Where(kv => kv.Value >= minDf).OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal).Take(maxFeatures).ToList();
        model._idf = new float[kept.Count];
        for (var i = 0; i < kept.Count; i++)
        {
            model._vocabulary[kept[i].Key] = i;
            model._idf[i] = (float)(Math.Log((1.0 + documents) / (1.0 + kept[i].Value)) + 1.0);
        }

        return model;
    }

    public SparseVector Transform(string text)
    {
        var counts = new Dictionary<int, int>();
        foreach (var term in Terms(text))
            if (_vocabulary.TryGetValue(term, out var index))
                counts[index] = counts.GetValueOrDefault(index) + 1;
        var indices = counts.Keys.Order().ToArray();
        var values = indices.Select(i => (float)((1 + Math.Log(counts[i])) * _idf[i])).ToArray();
        var norm = MathF.Sqrt(values.Sum(v => v * v));
        if (norm > 0)
            for (var i = 0; i < values.Length; i++)
                values[i] /= norm;
        return new SparseVector(indices, values);
    }

    private static IEnumerable<string> Terms(string text)
    {
        var words = Word().Matches(text.ToLowerInvariant()).Select(m => m.Value).ToList();
        for (var i = 0; i < words.Count; i++)
        {
            yield return words[i];
            if (i + 1 < words.Count)
                yield return words[i] + " " + words[i + 1];
        }
    }

    [GeneratedRegex(@"[a-z0-9]{2,}")]
    private static partial Regex Word();
}

/// <summary>
/// Linear SVM (L2-regularised hinge loss, dual coordinate descent as in liblinear, bias as an extra feature), with
/// balanced class weights — arxiv-sanity's <c>LinearSVC(class_weight='balanced', C=0.01)</c>.
/// </summary>
public static class LinearSvm
{
    public static (float[] Weights, float Bias) Train(IReadOnlyList<SparseVector> x, IReadOnlyList<bool> y, int features, double c = 0.01, int iterations = 200, int seed = 0)
    {
        var w = new double[features];
        double b = 0;
        var positives = y.Count(v => v);
        var negatives = y.Count - positives;
        if (positives == 0 || negatives == 0)
            return (new float[features], positives == 0 ? -1f : 1f);
        var alpha = new double[x.Count];
        var upper = y.Select(v => c * y.Count / (2.0 * (v ? positives : negatives))).ToArray();
        var qii = x.Select(v => v.Values.Sum(a => (double)a * a) + 1.0).ToArray();
        var order = Enumerable.Range(0, x.Count).ToArray();
        var random = new Random(seed);
        for (var iter = 0; iter < iterations; iter++)
        {
            random.Shuffle(order);
            var maxChange = 0.0;
            foreach (var i in order)
            {
                var yi = y[i] ? 1.0 : -1.0;
                var xi = x[i];
                double dot = b;
                for (var k = 0; k < xi.Indices.Length; k++)
                    dot += w[xi.Indices[k]] * xi.Values[k];
                var gradient = yi * dot - 1;
                var next = Math.Min(Math.Max(alpha[i] - gradient / qii[i], 0), upper[i]);
                var change = (next - alpha[i]) * yi;
                if (change == 0)
                    continue;
                maxChange = Math.Max(maxChange, Math.Abs(next - alpha[i]));
                alpha[i] = next;
                for (var k = 0; k < xi.Indices.Length; k++)
                    w[xi.Indices[k]] += change * xi.Values[k];
                b += change;
            }

            if (maxChange < 1e-6)
                break;
        }

        return ([.. w.Select(v => (float)v)], (float)b);
    }
}
