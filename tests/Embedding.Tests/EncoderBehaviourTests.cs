using Platform.Embedding.Encoding;

namespace Embedding.Tests;

public sealed class EncoderBehaviourTests(EncoderFixture fixture)
{
    [Fact]
    public void Describes_its_model()
    {
        ITextEncoder encoder = fixture.Encoder;
        Assert.Equal("sentence-transformers/all-MiniLM-L6-v2@onnx-fp32-v1", encoder.ModelId);
        Assert.Equal(384, encoder.Dimension);
        Assert.Equal(256, encoder.MaxTokens);
        Assert.Equal("cpu", fixture.Encoder.Device);
    }

    [Fact]
    public void Batch_equals_one_at_a_time_in_input_order()
    {
        // More texts than one sub-batch (16), in an order that sorting by length must undo.
        var texts = Enumerable.Range(0, 40)
            .Select(i => SampleTexts.Short[i % SampleTexts.Short.Length] + new string('!', i % 7) + $" item {i}")
            .Append(SampleTexts.Long(20))
            .ToArray();

        var batch = fixture.Encoder.Encode(texts);

        Assert.Equal(texts.Length, batch.Length);
        for (var i = 0; i < texts.Length; i++)
            Assert.True(VectorMath.Cosine(fixture.EncodeOne(texts[i]), batch[i]) >= 0.9999, $"text {i}");
        Assert.True(VectorMath.Cosine(batch[0], batch[1]) < 0.99, "different texts got the same vector");
    }

    [Fact]
    public void Concurrent_callers_get_the_same_vectors()
    {
        var expected = fixture.Encoder.Encode(SampleTexts.Short);
        var results = new float[8][][];
        Parallel.For(0, results.Length, i => results[i] = fixture.Encoder.Encode(SampleTexts.Short));

        foreach (var result in results)
            for (var i = 0; i < expected.Length; i++)
                Assert.True(VectorMath.Cosine(expected[i], result[i]) >= 0.9999);
    }

    [Fact]
    public void Related_texts_are_closer_than_unrelated_ones()
    {
        var vectors = fixture.Encoder.Encode(
        [
            "graph neural networks for molecules",
            "Message-passing neural networks predict molecular properties from the atom and bond graph of a compound.",
            "A study of rhyme, meter and courtly love in medieval French troubadour poetry.",
        ]);

        Assert.True(VectorMath.Cosine(vectors[0], vectors[1]) > VectorMath.Cosine(vectors[0], vectors[2]) + 0.2);
    }

    [Fact]
    public void Texts_beyond_256_tokens_are_truncated_not_rejected()
    {
        var longText = SampleTexts.Long(20);
        var vectors = fixture.Encoder.Encode([longText, longText + " " + SampleTexts.Long(100), SampleTexts.Long(10)]);

        Assert.True(VectorMath.Cosine(vectors[0], vectors[1]) >= 0.99999, "trailing text past the limit changed the vector");
        Assert.True(VectorMath.Cosine(vectors[0], vectors[2]) < 0.99999, "a text under the limit was cut as well");
    }

    [Fact]
    public void Text_changed_before_the_limit_gets_a_different_vector()
    {
        var longText = SampleTexts.Long(20);
        var vectors = fixture.Encoder.Encode([longText, "Quantum chromodynamics. " + longText]);

        Assert.True(VectorMath.Cosine(vectors[0], vectors[1]) < 0.9999);
    }

    [Fact]
    public void Empty_input_list_gives_an_empty_result()
    {
        Assert.Empty(fixture.Encoder.Encode([]));
    }

    [Fact]
    public void Null_entry_is_rejected_with_its_index()
    {
        var ex = Assert.Throws<ArgumentException>(() => fixture.Encoder.Encode(["fine", null!]));
        Assert.Contains("texts[1]", ex.Message);
    }
}
