namespace Platform.Contracts;

/// <summary>A new subscriber stated their interests in plain words.</summary>
[ExchangeName("subscriber-registered")]
public sealed record SubscriberRegistered
{
    public required Guid SubscriberId { get; init; }
    public required string Interests { get; init; }
    public required double Threshold { get; init; }
    public required DateTimeOffset RegisteredAt { get; init; }
}
