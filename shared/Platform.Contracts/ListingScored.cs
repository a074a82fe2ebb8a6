namespace Platform.Contracts;

/// <summary>Scoring ranked a listing globally and for every subscriber whose score cleared the floor.</summary>
[ExchangeName("listing-scored")]
public sealed record ListingScored
{
    public required Guid ListingId { get; init; }
    public required string Title { get; init; }
    public string? Url { get; init; }
    /// <summary>Version of the reward model set that produced the scores.</summary>
    public required string ModelVersion { get; init; }
    public required string EmbeddingModelId { get; init; }
    /// <summary>Named global rewards, e.g. <c>quality</c>, <c>novelty</c>.</summary>
    public IReadOnlyDictionary<string, double> GlobalRewards { get; init; } = new Dictionary<string, double>();
    public IReadOnlyList<SubscriberMatch> Matches { get; init; } = [];
    public required DateTimeOffset ScoredAt { get; init; }
}

/// <summary>One subscriber's personal score for a listing, with the rewards that made it.</summary>
public sealed record SubscriberMatch
{
    public required Guid SubscriberId { get; init; }
    public required double Score { get; init; }
    public IReadOnlyDictionary<string, double> Rewards { get; init; } = new Dictionary<string, double>();
}
