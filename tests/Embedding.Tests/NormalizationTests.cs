namespace Embedding.Tests;

/// <summary>BERT's uncased normaliser lowercases and strips accents; ours must too, even under InvariantGlobalization.</summary>
public sealed class NormalizationTests(EncoderFixture fixture)
{
    [Theory]
    [InlineData("Schrödinger bridges, Erdős–Rényi graphs and Poincaré embeddings", "schrodinger bridges, erdos–renyi graphs and poincare embeddings")]
    [InlineData("GRAPH Neural NETWORKS", "graph neural networks")]
    [InlineData("Ångström-scale naïve Fréchet distances", "angstrom-scale naive frechet distances")]
    [InlineData("Ĉu vi parolas? Йогурт из Гёттингена", "cu vi parolas? иогурт из геттингена")]
    [InlineData("كَتَبَ الطَّالِبُ", "كتب الطالب")]
    public void Accents_and_case_do_not_change_the_vector(string text, string plain)
    {
        var vectors = fixture.Encoder.Encode([text, plain]);
        Assert.True(VectorMath.Cosine(vectors[0], vectors[1]) >= 0.9999);
    }

    [Fact]
    public void Accented_word_is_not_an_unknown_token()
    {
        // Under InvariantGlobalization FastBertTokenizer alone turns "café" into [UNK], the same as "xyzzé".
        var vectors = fixture.Encoder.Encode(["café", "cafe", "qxé"]);
        Assert.True(VectorMath.Cosine(vectors[0], vectors[1]) >= 0.9999);
        Assert.True(VectorMath.Cosine(vectors[0], vectors[2]) < 0.99);
    }
}
