namespace Platform.Contracts;

/// <summary>Delivery to a subscriber was given up after its retry budget, or refused outright.</summary>
[ExchangeName("notification-failed")]
public sealed record NotificationFailed
{
    public required Guid SubscriberId { get; init; }
    public required Guid ListingId { get; init; }
    public required NotificationChannel Channel { get; init; }
    public required int Attempts { get; init; }
    public required string Reason { get; init; }
    public required DateTimeOffset FailedAt { get; init; }
}
