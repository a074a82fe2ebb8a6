using System.Diagnostics;
using System.Text.Json;
using Platform.Embedding.Encoding;

namespace Embedding.Tests;

public sealed class DailyPapersSampleTests(EncoderFixture fixture)
{
    private sealed record Listing(string Title, string? Abstract);

    [Fact]
    public void Encodes_every_sample_listing_to_a_distinct_unit_vector()
    {
        var file = Platform.Testing.SharedData.RequireFile("daily-papers-sample.jsonl");

        var options = new JsonSerializerOptions(JsonSerializerDefaults.Web);
        var texts = File.ReadLines(file)
            .Where(line => !string.IsNullOrWhiteSpace(line))
            .Select(line => JsonSerializer.Deserialize<Listing>(line, options)!)
            .Select(listing => EmbeddingText.ForListing(listing.Title, listing.Abstract))
            .ToArray();
        Assert.Equal(73, texts.Length);

        var stopwatch = Stopwatch.StartNew();
        var vectors = fixture.Encoder.Encode(texts);
        stopwatch.Stop();
        TestContext.Current.TestOutputHelper?.WriteLine(
            $"{texts.Length} listings in {stopwatch.Elapsed.TotalSeconds:F1} s ({texts.Length / stopwatch.Elapsed.TotalSeconds:F1}/s)");

        Assert.All(vectors, v => VectorMath.AssertUnit(v, 384));
        for (var i = 0; i < vectors.Length; i++)
            for (var j = i + 1; j < vectors.Length; j++)
                Assert.True(VectorMath.Cosine(vectors[i], vectors[j]) < 0.999, $"listings {i} and {j} got the same vector");
    }
}
