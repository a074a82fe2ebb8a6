namespace Platform.Ingestion.Listings;

/// <summary>What a publisher posts. Everything is optional here so that validation, not deserialization, names what is missing.</summary>
public sealed record ListingRequest
{
    public string? Source { get; init; }
    public string? ExternalId { get; init; }
    public string? Title { get; init; }
    public string? Abstract { get; init; }
    public IReadOnlyList<string>? Authors { get; init; }
    public string? Url { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }
    public DateOnly? PublishedOn { get; init; }
}
