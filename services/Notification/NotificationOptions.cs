namespace Platform.Notification;

public sealed class NotificationOptions
{
    public double DefaultThreshold { get; set; } = 0.35;
    public int MaxInterestsLength { get; set; } = 2_000;

    /// <summary>Webhook targets on loopback or private networks are refused unless allowed (SSRF); tests and the demo allow them.</summary>
    public bool AllowPrivateWebhookTargets { get; set; }

    public DeliveryOptions Delivery { get; set; } = new();
}

public sealed class DeliveryOptions
{
    /// <summary>Attempts per delivery before it is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 8;
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Until SMTP delivery lands, email notifications are written as .eml files to this folder (a pickup directory).</summary>
    public string EmailPickupDirectory { get; set; } = "data/mail";
}
