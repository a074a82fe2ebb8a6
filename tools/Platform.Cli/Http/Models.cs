namespace Platform.Cli.Http;

// The services' JSON as the CLI reads it (only the fields it shows; unknown fields are ignored).

/// <summary>POST /listings body (ingestion's ListingRequest).</summary>
public sealed record ListingRequest
{
    public string? Source { get; init; }
    public string? ExternalId { get; init; }
    public string? Title { get; init; }
    public string? Abstract { get; init; }
    public IReadOnlyList<string>? Authors { get; init; }
    public string? Url { get; init; }
    public IReadOnlyList<string>? Tags { get; init; }

    /// <summary>yyyy-MM-dd.</summary>
    public string? PublishedOn { get; init; }
}

public sealed record Listing(Guid Id, string Source, string ExternalId, string Title, string? Url, DateTimeOffset AcceptedAt);

public sealed record SubscriberMatch(Guid SubscriberId, double Score);

public sealed record ScoredListing(long Sequence, Guid ListingId, string ModelVersion, string Title, string? Url, IReadOnlyList<SubscriberMatch>? Matches, DateTimeOffset ScoredAt);

public sealed record ScoredFeedPage(IReadOnlyList<ScoredListing> Items, long NextCursor);

public sealed record ListingEmbedding(Guid ListingId, string ModelId, int Dimension, string ContentHash, DateTimeOffset EmbeddedAt);

public sealed record Delivery(Guid Id, Guid SubscriberId, Guid ListingId, string Channel, string Status, int Attempts, string? LastError, DateTimeOffset CreatedAt, DateTimeOffset? CompletedAt);

public sealed record RescoreRequest(IReadOnlyList<Guid>? ListingIds, DateTimeOffset? Since, int? Limit);

public sealed record RescoreResponse(int Queued, string ModelVersion);
