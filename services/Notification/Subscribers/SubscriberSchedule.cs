using System.Globalization;
using System.Text.Json;

namespace Platform.Notification.Subscribers;

/// <summary>A subscriber's local-time rules: quiet hours, the local day (for the daily cap), when the next digest is due.</summary>
public static class SubscriberSchedule
{
    public static TimeZoneInfo Zone(Subscriber s) =>
        TimeZoneInfo.TryFindSystemTimeZoneById(s.TimeZone, out var zone) ? zone : TimeZoneInfo.Utc;

    /// <summary>When <paramref name="now"/> falls in the subscriber's quiet hours: the (UTC) time they end; otherwise null.</summary>
    public static DateTimeOffset? QuietUntil(Subscriber s, DateTimeOffset now)
    {
        if (s.QuietStart is null || s.QuietEnd is null)
            return null;
        var zone = Zone(s);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        var time = TimeOnly.FromDateTime(local.DateTime);
        var start = Parse(s.QuietStart);
        var end = Parse(s.QuietEnd);
        var inside = start < end ? time >= start && time < end : time >= start || time < end;
        if (!inside)
            return null;
        var endDate = DateOnly.FromDateTime(local.DateTime);
        if (time >= end)
            endDate = endDate.AddDays(1); // wraps midnight: ends tomorrow
        return ToUtc(endDate.ToDateTime(end), zone);
    }

    /// <summary>The (UTC) start of the subscriber's local day containing <paramref name="now"/>.</summary>
    public static DateTimeOffset LocalDayStart(Subscriber s, DateTimeOffset now)
    {
        var zone = Zone(s);
        var local = TimeZoneInfo.ConvertTime(now, zone);
        return ToUtc(local.Date, zone);
    }

    /// <summary>The first digest time (local <see cref="Subscriber.DigestTime"/>, on <see cref="Subscriber.DigestDay"/> for weekly) strictly after <paramref name="after"/>.</summary>
    public static DateTimeOffset NextDigestAt(Subscriber s, DateTimeOffset after)
    {
        var zone = Zone(s);
        var local = TimeZoneInfo.ConvertTime(after, zone).DateTime;
        var time = Parse(s.DigestTime);
        var weekly = s.Mode == DeliveryModes.Weekly;
        var day = Enum.TryParse<DayOfWeek>(s.DigestDay, out var d) ? d : DayOfWeek.Monday;
        for (var date = DateOnly.FromDateTime(local); ; date = date.AddDays(1))
        {
            if (weekly && date.DayOfWeek != day)
                continue;
            var candidate = ToUtc(date.ToDateTime(time), zone);
            if (candidate > after)
                return candidate;
        }
    }

    public static IReadOnlyList<string> ExcludedTopics(Subscriber s) => JsonSerializer.Deserialize<string[]>(s.ExcludedTopics) ?? [];

    /// <summary>A topic excludes a listing when it equals one of its tags or occurs in its title (case-insensitive).</summary>
    public static bool Excludes(Subscriber s, string title, IReadOnlyList<string> tags) =>
        ExcludedTopics(s).Any(topic => tags.Contains(topic, StringComparer.OrdinalIgnoreCase) || title.Contains(topic, StringComparison.OrdinalIgnoreCase));

    private static TimeOnly Parse(string hhmm) => TimeOnly.ParseExact(hhmm, "HH:mm", CultureInfo.InvariantCulture);

    /// <summary>Local wall-clock time to UTC; a time skipped by a DST change moves forward by an hour.</summary>
    private static DateTimeOffset ToUtc(DateTime local, TimeZoneInfo zone)
    {
        local = DateTime.SpecifyKind(local, DateTimeKind.Unspecified);
        if (zone.IsInvalidTime(local))
            local = local.AddHours(1);
        return new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(local, zone), TimeSpan.Zero);
    }
}
