namespace Platform.Notification.Deliveries;

public enum DeliveryOutcome
{
    Delivered,
    /// <summary>A transient failure (5xx, 429, timeout, connection refused): try again later.</summary>
    Retry,
    /// <summary>The target refused for good (4xx other than 429): retrying cannot help.</summary>
    GiveUp,
}

public sealed record DeliveryResult(DeliveryOutcome Outcome, string? Reason = null)
{
    public static readonly DeliveryResult Delivered = new(DeliveryOutcome.Delivered);
}
