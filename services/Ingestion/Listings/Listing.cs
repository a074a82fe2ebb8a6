namespace Platform.Ingestion.Listings;

/// <summary>A stored listing, as the API returns it.</summary>
public sealed record Listing(
    Guid Id,
    string Source,
    string ExternalId,
    string Title,
    string? Abstract,
    IReadOnlyList<string> Authors,
    string? Url,
    IReadOnlyList<string> Tags,
    DateOnly? PublishedOn,
    DateTimeOffset AcceptedAt);
