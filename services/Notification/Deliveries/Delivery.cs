using Platform.Contracts;

namespace Platform.Notification.Deliveries;

/// <summary>A row of the delivery log joined with what the channel needs to send it.</summary>
public sealed record Delivery
{
    public Guid Id { get; init; }
    public Guid SubscriberId { get; init; }
    public Guid ListingId { get; init; }
    public NotificationChannel Channel { get; init; }
    public string Title { get; init; } = "";
    public string? Url { get; init; }
    public double Score { get; init; }
    public string Rewards { get; init; } = "{}";
    public int Attempts { get; init; }
    public string? Email { get; init; }
    public string? WebhookUrl { get; init; }
    public string WebhookSecret { get; init; } = "";
    /// <summary>From the listing catalogue, when listing-accepted was seen.</summary>
    public string? Abstract { get; init; }
    /// <summary>The scored URL, else the catalogue's.</summary>
    public string? ListingUrl { get; init; }
    /// <summary>W3C trace context of the scored listing that created the delivery.</summary>
    public string? TraceParent { get; init; }
    public DateTimeOffset CreatedAt { get; init; }
}
