using System.Text.Json;

namespace Reliability.Tests;

/// <summary>A listing as a publisher posts it to <c>POST /listings</c>.</summary>
public sealed record PaperListing(string Source, string ExternalId, string Title, string Abstract, IReadOnlyList<string> Authors,
    string Url, IReadOnlyList<string> Tags, string? PublishedOn);

/// <summary>
/// Real papers from <c>../shared/data</c>: the 6,000 arXiv papers, then the 4,024 Hugging Face daily papers (10,024
/// listings, each source with its own externalIds).
/// </summary>
public static class PaperListings
{
    public static IReadOnlyList<PaperListing> Take(int count)
    {
        var arxiv = SharedData.RequireFile("arxiv-topics-dev.jsonl");
        var daily = SharedData.RequireFile("hf-upvotes-dev.jsonl");
        var listings = Read(arxiv, "arxiv", "categories").Concat(Read(daily, "hf-daily", "tags")).Take(count).ToList();
        Assert.SkipWhen(listings.Count < count, $"../shared/data holds {listings.Count} papers; the run asks for {count}.");
        return listings;
    }

    private static IEnumerable<PaperListing> Read(string file, string source, string tagField)
    {
        foreach (var line in File.ReadLines(file))
        {
            using var document = JsonDocument.Parse(line);
            var paper = document.RootElement;
            var id = paper.GetProperty("id").GetString()!;
            yield return new PaperListing(
                source,
                id,
                paper.GetProperty("title").GetString()!,
                paper.GetProperty("abstract").GetString() ?? "",
                Strings(paper, "authors").Take(50).ToList(),
                $"https://arxiv.org/abs/{id}",
                Strings(paper, tagField).Take(10).ToList(),
                paper.TryGetProperty("date", out var date) && date.ValueKind == JsonValueKind.String && DateOnly.TryParse(date.GetString(), out var day)
                    ? day.ToString("yyyy-MM-dd") : null);
        }
    }

    private static IEnumerable<string> Strings(JsonElement paper, string name) =>
        paper.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.Array
            ? value.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.String).Select(v => v.GetString()!).Where(s => s.Length > 0)
            : [];
}
