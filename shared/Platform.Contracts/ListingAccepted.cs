namespace Platform.Contracts;

/// <summary>Ingestion validated and stored a new listing; it is now part of the pipeline.</summary>
[ExchangeName("listing-accepted")]
public sealed record ListingAccepted
{
    public required Guid ListingId { get; init; }
    public required string Source { get; init; }
    public required string ExternalId { get; init; }
    public required string Title { get; init; }
    public string? Abstract { get; init; }
    public IReadOnlyList<string> Authors { get; init; } = [];
    public string? Url { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public DateOnly? PublishedOn { get; init; }
    public required DateTimeOffset AcceptedAt { get; init; }
}
