using Platform.Contracts;

namespace Platform.Notification.Deliveries;

/// <summary>A delivery log entry as the API shows it to subscribers and operators.</summary>
public sealed record DeliveryView
{
    public Guid Id { get; init; }
    public Guid SubscriberId { get; init; }
    public Guid ListingId { get; init; }
    public NotificationChannel Channel { get; init; }
    public string Title { get; init; } = "";
    public string? Url { get; init; }
    public double Score { get; init; }
    public string Status { get; init; } = "";
    public int Attempts { get; init; }
    public string? LastError { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? CompletedAt { get; init; }
}
