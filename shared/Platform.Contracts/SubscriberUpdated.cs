namespace Platform.Contracts;

/// <summary>A subscriber changed their interests or threshold.</summary>
[ExchangeName("subscriber-updated")]
public sealed record SubscriberUpdated
{
    public required Guid SubscriberId { get; init; }
    public required string Interests { get; init; }
    public required double Threshold { get; init; }
    public required DateTimeOffset UpdatedAt { get; init; }
}
