using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>Daily and weekly digests: one email per period, at the subscriber's local time, best listings first, never a repeat.</summary>
public sealed class DigestTests
{
    [Fact]
    public async Task A_daily_digest_arrives_once_per_day_with_the_best_new_listings_and_working_links()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        var clock = new ShiftableClock();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, clock,
            ("Notification:Smtp:Port", smtp.Port.ToString(System.Globalization.CultureInfo.InvariantCulture)), ("Notification:Digest:MaxListings", "2"));
        // Digest time: an hour before now in New York, so the next one is about 23 hours away.
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var digestTime = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), newYork).AddHours(-1).ToString("HH:mm", System.Globalization.CultureInfo.InvariantCulture);
        var subscriber = await host.RegisterAsync(new
        {
            email = "digest@example.com", interests = "Anything", threshold = 0.3, mode = "daily", timeZone = "America/New_York", digestTime,
        }, ct);
        var good = Subscribers.Scored((subscriber.Id, 0.6)) with { Title = "Good paper" };
        var best = Subscribers.Scored((subscriber.Id, 0.9)) with { Title = "Best paper" };
        var fair = Subscribers.Scored((subscriber.Id, 0.4)) with { Title = "Fair paper" };
        var below = Subscribers.Scored((subscriber.Id, 0.2)) with { Title = "Below threshold" };
        await host.AcceptAsync(best, "An abstract of the best paper.", ct);
        foreach (var scored in new[] { good, best, fair, below })
            await host.PublishAsync(scored, ct);

        // Queued for the digest, not sent.
        await WaitForStatusesAsync(host, subscriber.Id, ["queued", "queued", "queued"], ct);
        await host.SettledAsync(recorder, ct);
        Assert.Equal(0, await host.RunDigestsAsync(ct)); // a digest pass now sends nothing: the digest time has not come
        Assert.Empty(smtp.Messages);

        clock.Advance(TimeSpan.FromDays(1) + TimeSpan.FromMinutes(1)); // the next digest time in New York has passed
        var digest = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));

        Assert.Equal("digest@example.com", digest.To.Mailboxes.Single().Address);
        Assert.Equal("Your daily digest: 2 new papers", digest.Subject);
        var text = digest.TextBody!;
        Assert.True(text.IndexOf("Best paper", StringComparison.Ordinal) < text.IndexOf("Good paper", StringComparison.Ordinal), text);
        Assert.DoesNotContain("Fair paper", text);                  // only the best two
        Assert.Contains("An abstract of the best paper.", text);
        Assert.Contains("0.900", digest.HtmlBody!);
        Assert.Equal("List-Unsubscribe=One-Click", digest.Headers["List-Unsubscribe-Post"]);
        var links = Mail.FeedbackLinks(digest);
        Assert.Equal(2, links.Count);
        await host.Client.PostAsync(links[1].Like, null, ct);
        var (like, _) = await recorder.WaitForAsync<FeedbackSubmitted>(_ => true, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(good.ListingId, like.ListingId);

        await WaitForStatusesAsync(host, subscriber.Id, ["delivered", "delivered", "skipped"], ct);
        await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == good.ListingId, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(2, recorder.All<NotificationDelivered>(e => e.SubscriberId == subscriber.Id).Count);

        // Scored again (e.g. a new model version) and a new listing: the next digest has only the new one.
        var later = Subscribers.Scored((subscriber.Id, 0.5)) with { Title = "Tomorrow's paper" };
        await host.PublishAsync(best with { ModelVersion = "rewards@test-2" }, ct);
        await host.PublishAsync(later, ct);
        await WaitForStatusesAsync(host, subscriber.Id, ["delivered", "delivered", "skipped", "queued"], ct);
        await host.SettledAsync(recorder, ct);
        Assert.Equal(0, await host.RunDigestsAsync(ct));
        Assert.Single(smtp.Messages); // not before the next digest time

        clock.Advance(TimeSpan.FromDays(1));
        var second = (await smtp.WaitForAsync(2, TimeSpan.FromSeconds(10), ct))[1];
        Assert.Equal("Your daily digest: 1 new paper", second.Subject);
        Assert.Contains("Tomorrow's paper", second.TextBody);
        Assert.DoesNotContain("Best paper", second.TextBody);
    }

    [Fact]
    public async Task A_failing_SMTP_server_keeps_the_digest_queued_until_it_can_be_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        var clock = new ShiftableClock();
        var port = FreePort.Next();
        await using var host = await NotificationHost.StartAsync(temp, recorder, clock,
            ("Notification:Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var subscriber = await host.RegisterAsync(new { email = "digest@example.com", interests = "Anything", threshold = 0.1, mode = "weekly", digestDay = "Wednesday" }, ct);
        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.9)), ct);
        await WaitForStatusesAsync(host, subscriber.Id, ["queued"], ct);

        clock.Advance(TimeSpan.FromDays(8));
        var failed = await host.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("attempts").GetInt32() >= 1, ct);
        Assert.Equal("queued", failed.GetProperty("status").GetString());
        Assert.StartsWith("SMTP", failed.GetProperty("lastError").GetString());

        await using var smtp = await SmtpSink.StartAsync(port);
        var digest = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
        Assert.Equal("Your weekly digest: 1 new paper", digest.Subject);
        await WaitForStatusesAsync(host, subscriber.Id, ["delivered"], ct);
    }

    private static async Task WaitForStatusesAsync(Platform.Testing.TestServiceHost host, Guid subscriberId, string[] expected, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            var statuses = (await host.DeliveriesAsync(subscriberId, ct)).EnumerateArray().Select(d => d.GetProperty("status").GetString()).Order().ToList();
            if (statuses.SequenceEqual(expected.Order()))
                return;
            Assert.True(DateTime.UtcNow < deadline, $"Delivery statuses are [{string.Join(", ", statuses)}], expected [{string.Join(", ", expected)}].");
            await Task.Delay(50, ct);
        }
    }
}
