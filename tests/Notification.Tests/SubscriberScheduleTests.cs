using Platform.Notification.Subscribers;

namespace Notification.Tests;

/// <summary>Local-time rules: quiet hours (wrapping midnight), digest times in IANA zones across DST, weekly days.</summary>
public sealed class SubscriberScheduleTests
{
    private static readonly Subscriber Berlin = new() { TimeZone = "Europe/Berlin", Mode = DeliveryModes.Daily, DigestTime = "08:00" };

    [Fact]
    public void Quiet_hours_that_wrap_midnight_end_the_next_morning_local_time()
    {
        var s = Berlin with { QuietStart = "22:00", QuietEnd = "07:00" };
        // 23:30 in Berlin (CET, UTC+1) on 2026-01-14.
        var until = SubscriberSchedule.QuietUntil(s, new DateTimeOffset(2026, 1, 14, 22, 30, 0, TimeSpan.Zero));
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 6, 0, 0, TimeSpan.Zero), until);
        // 06:00 local: still quiet until 07:00 the same day.
        Assert.Equal(new DateTimeOffset(2026, 1, 15, 6, 0, 0, TimeSpan.Zero),
            SubscriberSchedule.QuietUntil(s, new DateTimeOffset(2026, 1, 15, 5, 0, 0, TimeSpan.Zero)));
        // 12:00 local: not quiet.
        Assert.Null(SubscriberSchedule.QuietUntil(s, new DateTimeOffset(2026, 1, 15, 11, 0, 0, TimeSpan.Zero)));
        Assert.Null(SubscriberSchedule.QuietUntil(Berlin, new DateTimeOffset(2026, 1, 15, 23, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void The_daily_digest_follows_local_time_across_a_DST_change()
    {
        // Berlin switches to summer time on 2026-03-29: 08:00 local is 07:00 UTC before and 06:00 UTC after.
        Assert.Equal(new DateTimeOffset(2026, 3, 28, 7, 0, 0, TimeSpan.Zero),
            SubscriberSchedule.NextDigestAt(Berlin, new DateTimeOffset(2026, 3, 27, 7, 0, 0, TimeSpan.Zero)));
        Assert.Equal(new DateTimeOffset(2026, 3, 29, 6, 0, 0, TimeSpan.Zero),
            SubscriberSchedule.NextDigestAt(Berlin, new DateTimeOffset(2026, 3, 28, 7, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void A_weekly_digest_waits_for_its_day()
    {
        var weekly = Berlin with { Mode = DeliveryModes.Weekly, DigestDay = "Friday", TimeZone = "America/Los_Angeles", DigestTime = "18:30" };
        // Monday 2026-01-12 noon UTC: next Friday 2026-01-16 18:30 PST = 2026-01-17 02:30 UTC.
        Assert.Equal(new DateTimeOffset(2026, 1, 17, 2, 30, 0, TimeSpan.Zero),
            SubscriberSchedule.NextDigestAt(weekly, new DateTimeOffset(2026, 1, 12, 12, 0, 0, TimeSpan.Zero)));
    }

    [Fact]
    public void The_local_day_starts_at_local_midnight()
    {
        var tokyo = Berlin with { TimeZone = "Asia/Tokyo" };
        Assert.Equal(new DateTimeOffset(2026, 1, 14, 15, 0, 0, TimeSpan.Zero),
            SubscriberSchedule.LocalDayStart(tokyo, new DateTimeOffset(2026, 1, 15, 1, 0, 0, TimeSpan.Zero)));
    }
}
