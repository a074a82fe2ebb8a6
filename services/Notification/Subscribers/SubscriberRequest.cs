namespace Platform.Notification.Subscribers;

public sealed record SubscriberRequest
{
    public string? Email { get; init; }
    public string? WebhookUrl { get; init; }
    public string? Interests { get; init; }
    /// <summary>Minimum personal score (cosine relevance, -1..1) for a listing to be sent.</summary>
    public double? Threshold { get; init; }
}
