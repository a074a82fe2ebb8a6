namespace Platform.Contracts;

/// <summary>A publisher asks for a listing to be ingested over the bus instead of HTTP.</summary>
[ExchangeName("listing-submitted")]
public sealed record ListingSubmitted
{
    public required string Source { get; init; }
    public required string ExternalId { get; init; }
    public required string Title { get; init; }
    public string? Abstract { get; init; }
    public IReadOnlyList<string> Authors { get; init; } = [];
    public string? Url { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public DateOnly? PublishedOn { get; init; }
}
