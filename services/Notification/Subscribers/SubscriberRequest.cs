namespace Platform.Notification.Subscribers;

/// <summary>A subscriber as clients send it (POST and PUT: whole; PATCH: only the fields given).</summary>
public sealed record SubscriberRequest
{
    public string? Email { get; init; }
    public string? WebhookUrl { get; init; }
    public string? Interests { get; init; }
    /// <summary>Minimum personal score (cosine relevance, -1..1) for a listing to be sent.</summary>
    public double? Threshold { get; init; }
    /// <summary><c>instant</c> (default), <c>daily</c> or <c>weekly</c> digest.</summary>
    public string? Mode { get; init; }
    /// <summary>IANA time zone id, e.g. <c>Europe/Berlin</c> (default <c>UTC</c>).</summary>
    public string? TimeZone { get; init; }
    /// <summary>Local time of the digest, <c>HH:mm</c> (default <c>08:00</c>).</summary>
    public string? DigestTime { get; init; }
    /// <summary>Day of a weekly digest, e.g. <c>Monday</c> (default).</summary>
    public string? DigestDay { get; init; }
    /// <summary>Quiet hours, local <c>HH:mm</c>; may wrap midnight (22:00 to 07:00).</summary>
    public string? QuietHoursStart { get; init; }
    public string? QuietHoursEnd { get; init; }
    /// <summary>At most this many instant emails per local day (1..1000); none: no cap.</summary>
    public int? MaxMessagesPerDay { get; init; }
    /// <summary>Topics never to be sent (matched against listing tags and titles).</summary>
    public IReadOnlyList<string>? ExcludedTopics { get; init; }
}
