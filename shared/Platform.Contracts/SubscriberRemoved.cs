namespace Platform.Contracts;

/// <summary>A subscriber unsubscribed or was deleted; downstream services forget their vectors.</summary>
[ExchangeName("subscriber-removed")]
public sealed record SubscriberRemoved
{
    public required Guid SubscriberId { get; init; }
    public required DateTimeOffset RemovedAt { get; init; }
}
