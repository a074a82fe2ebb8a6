using Platform.Contracts;

namespace Platform.Scoring.Results;

/// <summary>A stored scored result, as the API returns it; <see cref="Sequence"/> is the feed cursor.</summary>
public sealed record ScoredListing(
    long Sequence,
    Guid ListingId,
    string ModelVersion,
    string Title,
    string? Url,
    string EmbeddingModelId,
    IReadOnlyDictionary<string, double> GlobalRewards,
    IReadOnlyList<SubscriberMatch> Matches,
    DateTimeOffset ScoredAt);
