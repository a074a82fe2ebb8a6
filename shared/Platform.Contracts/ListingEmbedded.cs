namespace Platform.Contracts;

/// <summary>Embedding turned a listing's title and abstract into a unit-length vector.</summary>
[ExchangeName("listing-embedded")]
public sealed record ListingEmbedded
{
    public required Guid ListingId { get; init; }
    /// <summary>Carried along so that scoring can publish self-contained results without asking ingestion.</summary>
    public required string Title { get; init; }
    public string? Url { get; init; }
    /// <summary>Versioned model id, e.g. <c>all-MiniLM-L6-v2@onnx-1</c>: vectors from different models never mix.</summary>
    public required string ModelId { get; init; }
    public required int Dimension { get; init; }
    public required float[] Vector { get; init; }
    /// <summary>SHA-256 (hex) of the embedded text and model id.</summary>
    public required string ContentHash { get; init; }
    public required DateTimeOffset EmbeddedAt { get; init; }
}
