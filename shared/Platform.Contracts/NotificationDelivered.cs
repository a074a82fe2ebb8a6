namespace Platform.Contracts;

public enum NotificationChannel
{
    Email,
    Webhook,
}

/// <summary>A subscriber received a listing on one of their channels.</summary>
[ExchangeName("notification-delivered")]
public sealed record NotificationDelivered
{
    public required Guid SubscriberId { get; init; }
    public required Guid ListingId { get; init; }
    public required NotificationChannel Channel { get; init; }
    public required double Score { get; init; }
    public required int Attempts { get; init; }
    public required DateTimeOffset DeliveredAt { get; init; }
}
