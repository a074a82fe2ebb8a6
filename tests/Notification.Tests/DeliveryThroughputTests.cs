using System.Diagnostics;
using System.Globalization;
using System.Text;
using MassTransit;
using Platform.Contracts;
using Platform.Notification.Deliveries;
using Platform.Notification.Email;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>
/// The notification benchmark, as a test: emails/s to a local SMTP server (one connection reused vs. one per email,
/// and end to end through the service) and webhook deliveries/s to a local receiver. Small by default (a smoke test
/// that all arrive and that SMTP connections are reused); <c>NOTIFICATION_BENCHMARK_N=2000</c> makes it a benchmark,
/// and <c>NOTIFICATION_BENCHMARK_OUT=file.md</c> writes the table.
/// </summary>
public sealed class DeliveryThroughputTests
{
    private static int Count => int.TryParse(Environment.GetEnvironmentVariable("NOTIFICATION_BENCHMARK_N"), out var n) && n > 0 ? n : 100;

    [Fact]
    public async Task Emails_and_webhooks_per_second_to_local_servers()
    {
        var ct = TestContext.Current.CancellationToken;
        var n = Count;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp, ("Logging:LogLevel:Default", "Error"),
            ("RateLimiting:Public:PermitLimit", "1000000")); // registers 2n subscribers through the public sign-up API
        var rows = new List<(string What, int Count, double Seconds, string Note)>();

        // 1. The email sender alone (compose + SMTP), one connection for all, then a new connection per email.
        var sender = host.GetRequiredService<EmailSender>();
        var deliveries = Enumerable.Range(0, n).Select(i => new Delivery
        {
            Id = NewId.NextGuid(), SubscriberId = Guid.NewGuid(), ListingId = Guid.NewGuid(), Channel = NotificationChannel.Email,
            Title = $"Benchmark paper {i}", Url = "https://example.org/papers/" + i, Score = 0.8, Rewards = """{"relevance":0.8}""",
            Email = $"reader{i}@example.com", Abstract = new string('a', 600),
        }).ToList();
        foreach (var delivery in deliveries.Take(20)) // warm-up (JIT, first connection), not timed
            await sender.SendAsync(delivery, ct);
        await sender.EndBatchAsync(ct);
        var warmup = Math.Min(20, n);
        var sessions = smtp.Sessions;
        var watch = Stopwatch.StartNew();
        foreach (var delivery in deliveries)
            Assert.Equal(DeliveryOutcome.Delivered, (await sender.SendAsync(delivery, ct)).Outcome);
        await sender.EndBatchAsync(ct);
        rows.Add(("SMTP, one connection reused (sender only)", n, watch.Elapsed.TotalSeconds, $"{smtp.Sessions - sessions} SMTP session(s)"));
        await smtp.WaitForAsync(warmup + n, TimeSpan.FromSeconds(60), ct);
        Assert.Equal(1, smtp.Sessions - sessions);

        var perConnection = Math.Max(10, n / 5);
        sessions = smtp.Sessions;
        watch.Restart();
        foreach (var delivery in deliveries.Take(perConnection))
        {
            Assert.Equal(DeliveryOutcome.Delivered, (await sender.SendAsync(delivery, ct)).Outcome);
            await sender.EndBatchAsync(ct);
        }
        rows.Add(("SMTP, new connection per email (sender only)", perConnection, watch.Elapsed.TotalSeconds, $"{smtp.Sessions - sessions} SMTP session(s)"));
        await smtp.WaitForAsync(warmup + n + perConnection, TimeSpan.FromSeconds(60), ct);

        // 2. End to end: one scored listing matching n email subscribers and n webhook subscribers.
        var readers = new List<Guid>();
        var hooks = new List<Guid>();
        for (var i = 0; i < n; i++)
        {
            readers.Add((await host.RegisterAsync(new { email = $"e2e{i}@example.com", interests = "Anything", threshold = 0.1 }, ct)).Id);
            hooks.Add((await host.RegisterAsync(new { webhookUrl = receiver.Url().ToString(), interests = "Anything", threshold = 0.1 }, ct)).Id);
        }
        var before = smtp.Messages.Count;
        sessions = smtp.Sessions;
        watch.Restart();
        await host.PublishAsync(Subscribers.Scored([.. readers.Select(id => (id, 0.9))]), ct);
        await smtp.WaitForAsync(before + n, TimeSpan.FromSeconds(120), ct);
        rows.Add(("Email end to end (listing-scored → delivery log → SMTP)", n, watch.Elapsed.TotalSeconds, $"{smtp.Sessions - sessions} SMTP session(s), batches of 50"));

        watch.Restart();
        await host.PublishAsync(Subscribers.Scored([.. hooks.Select(id => (id, 0.9))]), ct);
        await receiver.WaitForAsync(n, TimeSpan.FromSeconds(120), ct);
        rows.Add(("Webhook end to end (listing-scored → delivery log → signed POST)", n, watch.Elapsed.TotalSeconds, "HTTP/1.1 keep-alive, one at a time"));

        var table = new StringBuilder()
            .AppendLine("| what | messages | seconds | per second | note |")
            .AppendLine("|---|---:|---:|---:|---|");
        foreach (var (what, count, seconds, note) in rows)
            table.AppendLine(CultureInfo.InvariantCulture, $"| {what} | {count} | {seconds:0.00} | {count / seconds:0} | {note} |");
        TestContext.Current.SendDiagnosticMessage(table.ToString());
        if (Environment.GetEnvironmentVariable("NOTIFICATION_BENCHMARK_OUT") is { Length: > 0 } output)
            await File.WriteAllTextAsync(output, table.ToString(), ct);
    }
}
