using System.Diagnostics;

namespace Embedding.Tests;

public sealed class RobustInputTests(EncoderFixture fixture)
{
    public static TheoryData<string, string> OddTexts => new()
    {
        { "empty", "" },
        { "whitespace", " \t\r\n  " },
        { "only NUL", "\0\0\0" },
        { "NUL and controls", "graph\0 neural\u0001 networks\u007f\u200b\ufeff" },
        { "lone surrogates", "broken \ud800 text \udc00" },
        { "CJK", "图神经网络用于分子性质预测" },
        { "Arabic", "الشبكات العصبية البيانية للجزيئات" },
        { "emoji", "🧪🧬 molecules 👩‍🔬🔥" },
        { "private use and unassigned", "\ue000\uf8ff\u0378" },
    };

    [Theory]
    [MemberData(nameof(OddTexts))]
    public void Odd_texts_give_unit_vectors(string label, string text)
    {
        VectorMath.AssertUnit(fixture.EncodeOne(text), 384, label);
    }

    [Fact]
    public void Empty_and_whitespace_give_the_cls_sep_embedding()
    {
        var vectors = fixture.Encoder.Encode(["", "   \n\t", "\0"]);
        Assert.True(VectorMath.Cosine(vectors[0], vectors[1]) >= 0.99999);
        Assert.True(VectorMath.Cosine(vectors[0], vectors[2]) >= 0.99999);
    }

    [Fact]
    public void Control_characters_are_removed_before_tokenizing()
    {
        var vectors = fixture.Encoder.Encode(["hello\0 wor\u0007ld", "hello world"]);
        Assert.True(VectorMath.Cosine(vectors[0], vectors[1]) >= 0.99999);
    }

    [Fact]
    public void Huge_text_is_truncated_quickly()
    {
        var huge = string.Concat(Enumerable.Repeat("abcdefghij ", 10_000)); // 110k chars
        var longEnough = string.Concat(Enumerable.Repeat("abcdefghij ", 300)); // already past the 256-token limit
        fixture.EncodeOne("warm up");
        var reference = Stopwatch.StartNew();
        fixture.EncodeOne(longEnough);
        reference.Stop();

        var stopwatch = Stopwatch.StartNew();
        var vector = fixture.EncodeOne(huge);
        stopwatch.Stop();

        VectorMath.AssertUnit(vector, 384);
        // 5 s, or on a machine slow enough to need it, 50 times what a text cut to the same 256 tokens takes on it.
        var bound = TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(5).Ticks, 50 * reference.Elapsed.Ticks));
        Assert.True(stopwatch.Elapsed < bound, $"took {stopwatch.Elapsed} (bound {bound}; {reference.Elapsed} for a text of 3,300 characters)");
    }
}
