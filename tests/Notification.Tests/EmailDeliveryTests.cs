using System.Net;
using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>Instant alerts go out through a real SMTP server (in-process, on loopback) and are read back as they arrived.</summary>
public sealed class EmailDeliveryTests
{
    private const string Abstract =
        "We find that a small set of attention heads is responsible for retrieving facts from long contexts. Masking them " +
        "breaks needle-in-a-haystack retrieval while leaving other abilities intact, and their activation predicts whether a " +
        "model will hallucinate. We study four model families and contexts of up to 128k tokens, and show that the heads are " +
        "universal, sparse, intrinsic and dynamically activated.";

    [Fact]
    public async Task Instant_alert_arrives_by_SMTP_with_title_abstract_link_score_why_and_working_feedback_links()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Long-context retrieval", threshold = 0.3 }, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.8));
        await host.AcceptAsync(scored, Abstract, ct);

        await host.PublishAsync(scored, ct);

        var message = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
        Assert.Equal("reader@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal(scored.Title, message.Subject);
        Assert.NotNull(message.TextBody);
        Assert.NotNull(message.HtmlBody);
        foreach (var body in new[] { message.TextBody, message.HtmlBody })
        {
            Assert.Contains(scored.Url!, body);
            Assert.Contains("0.800", body);                           // the score
            Assert.Contains("relevance 0.80, quality 0.70", body);   // why: the rewards, strongest first
            Assert.Contains("We find that a small set of attention heads", body);
            Assert.DoesNotContain("dynamically activated", body);    // a short abstract, not the whole one
        }
        Assert.Contains($"<a href=\"{scored.Url}\">{scored.Title}</a>", message.HtmlBody);

        // Every email carries signed links to this service, and RFC 8058 one-click unsubscribe headers.
        var links = Assert.Single(Mail.FeedbackLinks(message));
        Assert.Equal(host.BaseAddress.Authority, links.Like.Authority);
        Assert.Contains(links.Like.AbsoluteUri, message.HtmlBody);
        Assert.Equal("List-Unsubscribe=One-Click", message.Headers["List-Unsubscribe-Post"]);
        Assert.Equal(Mail.UnsubscribeLink(message), Mail.ListUnsubscribe(message));

        // GET only shows a confirm form (mail scanners that prefetch links change nothing); POST records the like once.
        var page = await host.Client.GetAsync(links.Like, ct);
        Assert.Equal(HttpStatusCode.OK, page.StatusCode);
        var html = await page.Content.ReadAsStringAsync(ct);
        Assert.Contains("<form method=\"post\">", html);
        Assert.Contains(WebUtility.HtmlEncode(scored.Title), html);
        Assert.Empty(recorder.All<FeedbackSubmitted>());

        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(links.Like, null, ct)).StatusCode);
        var (like, _) = await recorder.WaitForAsync<FeedbackSubmitted>(_ => true, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(subscriber.Id, like.SubscriberId);
        Assert.Equal(scored.ListingId, like.ListingId);
        Assert.Equal(FeedbackKind.Like, like.Kind);

        // Clicking again is harmless; dismissing is a separate piece of feedback.
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(links.Like, null, ct)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await host.Client.PostAsync(links.Dismiss, null, ct)).StatusCode);
        await recorder.WaitForAsync<FeedbackSubmitted>(f => f.Kind == FeedbackKind.Dismiss, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Single(recorder.All<FeedbackSubmitted>(f => f.Kind == FeedbackKind.Like));

        var entry = Assert.Single((await host.DeliveriesAsync(subscriber.Id, ct)).EnumerateArray());
        Assert.Equal("delivered", entry.GetProperty("status").GetString());
    }

    [Fact]
    public async Task Subscriber_with_both_channels_gets_a_webhook_and_an_email()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var subscriber = await host.RegisterAsync(new
        {
            email = "both@example.com", webhookUrl = receiver.Url().ToString(), interests = "Long-context retrieval", threshold = 0.3,
        }, ct);

        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.8)), ct);

        await recorder.WaitForAsync<NotificationDelivered>(e => e.Channel == NotificationChannel.Email, TimeSpan.FromSeconds(10), ct);
        await recorder.WaitForAsync<NotificationDelivered>(e => e.Channel == NotificationChannel.Webhook, TimeSpan.FromSeconds(10), ct);
        Assert.Single(receiver.Received);
        Assert.Single(smtp.Messages);
        Assert.Equal(2, (await host.DeliveriesAsync(subscriber.Id, ct)).GetArrayLength());
    }

    [Fact]
    public async Task Duplicate_scored_events_produce_one_email()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.8));
        var messageId = Guid.NewGuid();

        await host.PublishAsync(scored, ct, messageId);
        await host.PublishAsync(scored, ct, messageId);           // a redelivery
        await host.PublishAsync(scored with { ScoredAt = DateTimeOffset.UtcNow }, ct); // scored again, as a new message

        await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Single(smtp.Messages);
        Assert.Single(recorder.All<NotificationDelivered>(e => e.SubscriberId == subscriber.Id));
    }

    [Fact]
    public async Task One_SMTP_connection_serves_a_whole_dispatch_batch()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var readers = new List<RegisteredSubscriber>();
        for (var i = 0; i < 6; i++)
            readers.Add(await host.RegisterAsync(new { email = $"reader{i}@example.com", interests = "Anything", threshold = 0.1 }, ct));

        await host.PublishAsync(Subscribers.Scored([.. readers.Select(r => (r.Id, 0.9))]), ct);

        var messages = await smtp.WaitForAsync(6, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(readers.Count, messages.Select(m => m.To.Mailboxes.Single().Address).Distinct().Count());
        Assert.Equal(1, smtp.Sessions);
    }

    [Fact]
    public async Task A_failing_SMTP_server_keeps_the_email_pending_and_it_is_sent_once_the_server_is_back()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        var port = FreePort.Next();
        await using var host = await NotificationHost.StartAsync(temp, recorder, ("Notification:Smtp:Port", port.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.8));

        await host.PublishAsync(scored, ct);

        // Nobody listens on the port yet: the delivery stays pending, its attempts and the error recorded.
        var pending = await host.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("attempts").GetInt32() >= 1, ct);
        Assert.Equal("pending", pending.GetProperty("status").GetString());
        Assert.StartsWith("SMTP", pending.GetProperty("lastError").GetString());
        Assert.Empty(recorder.All<NotificationFailed>());

        await using var smtp = await SmtpSink.StartAsync(port);
        var message = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(15), ct));
        Assert.Equal(scored.Title, message.Subject);
        var (delivered, _) = await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(10), ct);
        Assert.True(delivered.Attempts >= 2);
    }

    [Fact]
    public async Task A_recipient_the_SMTP_server_refuses_for_good_is_given_up_and_announced_while_others_are_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        smtp.RefusedRecipients["gone@example.com"] = true;
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var gone = await host.RegisterAsync(new { email = "gone@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var reader = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);

        await host.PublishAsync(Subscribers.Scored((gone.Id, 0.8), (reader.Id, 0.8)), ct);

        var (failed, _) = await recorder.WaitForAsync<NotificationFailed>(e => e.SubscriberId == gone.Id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(NotificationChannel.Email, failed.Channel);
        Assert.Equal(1, failed.Attempts); // a permanent refusal is not retried
        Assert.StartsWith("SMTP 5", failed.Reason);
        var message = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
        Assert.Equal("reader@example.com", message.To.Mailboxes.Single().Address);
        Assert.Equal("failed", (await host.WaitForDeliveryAsync(gone.Id, _ => true, ct)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task SMTP_credentials_from_configuration_are_used()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync(credentials: ("platform", "s3cret"));
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp,
            ("Notification:Smtp:Username", "platform"), ("Notification:Smtp:Password", "s3cret"));
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);

        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.8)), ct);

        Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
    }

    [Fact]
    public async Task Line_breaks_in_a_title_cannot_inject_headers()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var smtp = await SmtpSink.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder, smtp);
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.8)) with { Title = "Innocent title\r\nBcc: attacker@example.com\nX-Evil: 1" };

        await host.PublishAsync(scored, ct);

        var message = Assert.Single(await smtp.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
        Assert.Empty(message.Bcc);
        Assert.False(message.Headers.Contains("X-Evil"));
        Assert.Equal("Innocent title Bcc: attacker@example.com X-Evil: 1", message.Subject);
        Assert.Equal(["reader@example.com"], message.GetRecipients().Select(r => r.Address));
    }

    [Fact]
    public async Task With_a_pickup_directory_emails_are_written_as_eml_files_instead()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var host = await NotificationHost.StartAsync(temp, recorder, ("Notification:Delivery:EmailPickupDirectory", temp.File("mail")));
        var subscriber = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.8));

        await host.PublishAsync(scored, ct);

        await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(10), ct);
        var file = Assert.Single(Directory.GetFiles(temp.File("mail")));
        var message = await MimeKit.MimeMessage.LoadAsync(file, ct);
        Assert.Equal(scored.Title, message.Subject);
        Assert.Single(Mail.FeedbackLinks(message));
    }
}
