namespace Platform.Notification.Deliveries;

/// <summary>The JSON body a webhook receives. <c>deliveryId</c> is stable across retries so receivers can drop repeats.</summary>
public sealed record WebhookPayload(
    Guid DeliveryId,
    Guid SubscriberId,
    Guid ListingId,
    string Title,
    string? Url,
    double Score,
    IReadOnlyDictionary<string, double> Rewards);
