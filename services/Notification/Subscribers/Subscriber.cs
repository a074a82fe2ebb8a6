namespace Platform.Notification.Subscribers;

public sealed record Subscriber
{
    public const string Active = "active";

    public Guid Id { get; init; }
    public string? Email { get; init; }
    public string? WebhookUrl { get; init; }
    public string WebhookSecret { get; init; } = "";
    public string Interests { get; init; } = "";
    public double Threshold { get; init; }
    public string Status { get; init; } = Active;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }
}
