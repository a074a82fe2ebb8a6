namespace Platform.Contracts;

/// <summary>Embedding turned a subscriber's interest statement into a vector (the cold-start preference).</summary>
[ExchangeName("subscriber-interests-embedded")]
public sealed record SubscriberInterestsEmbedded
{
    public required Guid SubscriberId { get; init; }
    public required string ModelId { get; init; }
    public required int Dimension { get; init; }
    public required float[] Vector { get; init; }
    public required string ContentHash { get; init; }
    public required DateTimeOffset EmbeddedAt { get; init; }
}
