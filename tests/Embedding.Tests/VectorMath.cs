namespace Embedding.Tests;

internal static class VectorMath
{
    public static double Norm(float[] v) => Math.Sqrt(v.Sum(x => (double)x * x));

    public static double Cosine(float[] a, float[] b)
    {
        Assert.Equal(a.Length, b.Length);
        double dot = 0;
        for (var i = 0; i < a.Length; i++)
            dot += (double)a[i] * b[i];
        return dot / (Norm(a) * Norm(b));
    }

    public static void AssertUnit(float[] v, int dimension, string label = "vector")
    {
        Assert.Equal(dimension, v.Length);
        Assert.True(v.All(float.IsFinite), $"{label}: a component is not finite");
        Assert.True(Math.Abs(Norm(v) - 1) < 1e-4, $"{label}: norm is {Norm(v)}");
    }
}
