using MailKit.Security;

namespace Platform.Notification;

public sealed class NotificationOptions
{
    public double DefaultThreshold { get; set; } = 0.35;
    public int MaxInterestsLength { get; set; } = 2_000;

    /// <summary>Webhook targets on loopback or private networks are refused unless allowed (SSRF); tests and the demo allow them.</summary>
    public bool AllowPrivateWebhookTargets { get; set; }

    /// <summary>
    /// Absolute base URL that links in emails point at (feedback, unsubscribe, preferences), e.g. <c>https://notify.example.org</c>.
    /// When empty, the service's own first listening address is used (fine for local runs, wrong behind a proxy).
    /// </summary>
    public string? PublicBaseUrl { get; set; }

    public DeliveryOptions Delivery { get; set; } = new();
    public SmtpOptions Smtp { get; set; } = new();
    public LinkOptions Links { get; set; } = new();
    public DigestOptions Digest { get; set; } = new();
}

public sealed class DeliveryOptions
{
    /// <summary>Attempts per delivery before it is recorded as failed.</summary>
    public int MaxAttempts { get; set; } = 8;
    public TimeSpan FirstRetryDelay { get; set; } = TimeSpan.FromSeconds(2);
    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);
    /// <summary>Due deliveries sent per dispatch batch (one SMTP connection serves a whole batch).</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>
    /// When set, emails are written as <c>.eml</c> files to this folder (a pickup directory) instead of being sent by
    /// SMTP: handy for the embedded demo. Empty (the default): SMTP.
    /// </summary>
    public string? EmailPickupDirectory { get; set; }
}

/// <summary>The SMTP server emails are sent through (<c>Notification:Smtp:*</c>).</summary>
public sealed class SmtpOptions
{
    public string Host { get; set; } = "localhost";
    public int Port { get; set; } = 25;
    /// <summary>MailKit's <see cref="SecureSocketOptions"/>: <c>None</c>, <c>Auto</c>, <c>SslOnConnect</c>, <c>StartTls</c>, <c>StartTlsWhenAvailable</c>.</summary>
    public SecureSocketOptions Security { get; set; } = SecureSocketOptions.StartTlsWhenAvailable;
    /// <summary>Authenticate only when a user name is given.</summary>
    public string? Username { get; set; }
    public string? Password { get; set; }
    public string From { get; set; } = "Platform <notifications@platform.localhost>";
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
    /// <summary>Accept any server certificate (self-signed test servers only).</summary>
    public bool AcceptAnyCertificate { get; set; }
}

/// <summary>Signed links in emails (<c>Notification:Links:*</c>).</summary>
public sealed class LinkOptions
{
    /// <summary>HMAC-SHA256 key for link tokens (at least 32 characters). Empty: a fixed development key, with a warning.</summary>
    public string? SigningKey { get; set; }
    /// <summary>How long feedback and preferences links stay valid.</summary>
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromDays(30);
    /// <summary>How long unsubscribe links (and <c>List-Unsubscribe</c>) stay valid: long, so old emails can still stop the next ones.</summary>
    public TimeSpan UnsubscribeTokenLifetime { get; set; } = TimeSpan.FromDays(365);
}

public sealed class DigestOptions
{
    /// <summary>How often the digest scheduler looks for subscribers whose digest is due.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromMinutes(1);
    /// <summary>Listings per digest email (the best-scored ones not sent before).</summary>
    public int MaxListings { get; set; } = 10;
}
