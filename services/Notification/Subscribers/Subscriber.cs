namespace Platform.Notification.Subscribers;

public sealed record Subscriber
{
    public const string Active = "active";
    public const string Unsubscribed = "unsubscribed";
    public const string Deleted = "deleted";

    public Guid Id { get; init; }
    public string? Email { get; init; }
    public string? WebhookUrl { get; init; }
    public string WebhookSecret { get; init; } = "";
    public string Interests { get; init; } = "";
    public double Threshold { get; init; }
    public string Status { get; init; } = Active;
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset UpdatedAt { get; init; }

    /// <summary><see cref="DeliveryModes"/>: instant alerts, or a daily or weekly digest.</summary>
    public string Mode { get; init; } = DeliveryModes.Instant;
    public string TimeZone { get; init; } = "UTC";
    /// <summary>Local time (HH:mm) the digest goes out.</summary>
    public string DigestTime { get; init; } = "08:00";
    public string DigestDay { get; init; } = nameof(DayOfWeek.Monday);
    /// <summary>Local HH:mm; instant emails due inside [start, end) wait until the end. Both or neither.</summary>
    public string? QuietStart { get; init; }
    public string? QuietEnd { get; init; }
    public int? MaxPerDay { get; init; }
    /// <summary>JSON array of topics (matched against listing tags and titles, case-insensitive).</summary>
    public string ExcludedTopics { get; init; } = "[]";
    public DateTimeOffset? LastDigestAt { get; init; }
}

public static class DeliveryModes
{
    public const string Instant = "instant";
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public static readonly string[] All = [Instant, Daily, Weekly];
}
