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
        fixture.EncodeOne("warm up");

        var stopwatch = Stopwatch.StartNew();
        var vector = fixture.EncodeOne(huge);
        stopwatch.Stop();

        VectorMath.AssertUnit(vector, 384);
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(5), $"took {stopwatch.Elapsed}");
    }
}
