using System.Text.Json;

namespace Ingestion.Tests;

/// <summary>Listing bodies as a publisher posts them, and reading the API's JSON.</summary>
internal static class Listings
{
    public static readonly JsonSerializerOptions Json = JsonSerializerOptions.Web;

    /// <summary>A complete, valid listing with a unique externalId (tests share nothing).</summary>
    public static Dictionary<string, object?> Valid(string? externalId = null) => new()
    {
        ["source"] = "arxiv",
        ["externalId"] = externalId ?? $"2601.{Guid.NewGuid():N}",
        ["title"] = "Sparse Attention for Long-Context Retrieval",
        ["abstract"] = "We show that sparse attention keeps retrieval quality on documents of a million tokens.",
        ["authors"] = new[] { "A. Author", "B. Author" },
        ["url"] = "https://example.org/papers/sparse-attention",
        ["tags"] = new[] { "cs.CL", "retrieval" },
        ["publishedOn"] = "2026-01-15",
    };

    public static Dictionary<string, object?> With(this Dictionary<string, object?> listing, string field, object? value)
    {
        var copy = new Dictionary<string, object?>(listing) { [field] = value };
        return copy;
    }

    public static Dictionary<string, object?> Without(this Dictionary<string, object?> listing, string field)
    {
        var copy = new Dictionary<string, object?>(listing);
        copy.Remove(field);
        return copy;
    }

    public static async Task<JsonElement> ReadJsonAsync(this HttpResponseMessage response, CancellationToken ct) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement.Clone();

    public static string[] Strings(this JsonElement array) => [.. array.EnumerateArray().Select(e => e.GetString()!)];
}
