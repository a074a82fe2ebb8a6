using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>A scored listing that clears a subscriber's threshold reaches their webhook exactly once, signed.</summary>
public sealed class WebhookDeliveryTests
{
    [Fact]
    public async Task Listing_above_threshold_is_posted_once_signed_announced_and_logged_as_delivered()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.5, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.5));
        var before = DateTimeOffset.UtcNow;

        await host.PublishAsync(scored, ct);

        var webhook = Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10), ct));
        Assert.Equal("POST", webhook.Method);
        Assert.StartsWith("application/json", webhook.ContentType);

        // The signature verifies independently: HMAC-SHA256 keyed with the secret shown at registration, over "{timestamp}.{body}".
        var timestamp = webhook.Headers["X-Platform-Timestamp"];
        var signature = webhook.Headers["X-Platform-Signature"];
        var expected = "v1=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(subscriber.Secret), Encoding.UTF8.GetBytes($"{timestamp}.{webhook.Body}")));
        Assert.Equal(expected, signature);
        var sentAt = DateTimeOffset.FromUnixTimeSeconds(long.Parse(timestamp, CultureInfo.InvariantCulture));
        Assert.InRange(sentAt, before.AddSeconds(-2), DateTimeOffset.UtcNow.AddSeconds(2));
        // A signature made with another key, or over another body, does not match.
        Assert.NotEqual(expected, "v1=" + Convert.ToHexStringLower(
            HMACSHA256.HashData(Encoding.UTF8.GetBytes(subscriber.Secret + "x"), Encoding.UTF8.GetBytes($"{timestamp}.{webhook.Body}"))));

        var payload = JsonDocument.Parse(webhook.Body).RootElement;
        var deliveryId = payload.GetProperty("deliveryId").GetGuid();
        Assert.Equal(deliveryId, Guid.Parse(webhook.Headers["X-Platform-Delivery"]));
        Assert.Equal(subscriber.Id, payload.GetProperty("subscriberId").GetGuid());
        Assert.Equal(scored.ListingId, payload.GetProperty("listingId").GetGuid());
        Assert.Equal(scored.Title, payload.GetProperty("title").GetString());
        Assert.Equal(scored.Url, payload.GetProperty("url").GetString());
        Assert.Equal(0.5, payload.GetProperty("score").GetDouble());
        var rewards = payload.GetProperty("rewards");
        Assert.Equal(0.5, rewards.GetProperty("relevance").GetDouble());
        Assert.Equal(0.7, rewards.GetProperty("quality").GetDouble());

        var (delivered, _) = await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(subscriber.Id, delivered.SubscriberId);
        Assert.Equal(NotificationChannel.Webhook, delivered.Channel);
        Assert.Equal(0.5, delivered.Score);
        Assert.Equal(1, delivered.Attempts);

        var entry = Assert.Single((await host.DeliveriesAsync(subscriber.Id, ct)).EnumerateArray());
        Assert.Equal(deliveryId, entry.GetProperty("id").GetGuid());
        Assert.Equal("delivered", entry.GetProperty("status").GetString());
        Assert.Equal("Webhook", entry.GetProperty("channel").GetString());
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
        Assert.Equal(scored.ListingId, entry.GetProperty("listingId").GetGuid());
        Assert.Equal(JsonValueKind.String, entry.GetProperty("completedAt").ValueKind);

        await host.SettledAsync(recorder, ct);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Listing_below_threshold_is_not_sent()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var picky = await host.RegisterWebhookAsync(receiver.Url("/picky"), threshold: 0.6, ct);
        var keen = await host.RegisterWebhookAsync(receiver.Url("/keen"), threshold: 0.2, ct);
        var scored = Subscribers.Scored((picky.Id, 0.5999), (keen.Id, 0.5999));

        await host.PublishAsync(scored, ct);

        // The same message was delivered to the keen subscriber, so it has been fully processed for the picky one too.
        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10), ct, "/keen");
        await recorder.WaitForAsync<NotificationDelivered>(e => e.SubscriberId == keen.Id, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct);
        Assert.Empty(receiver.ReceivedAt("/picky"));
        Assert.Equal(0, (await host.DeliveriesAsync(picky.Id, ct)).GetArrayLength());
        Assert.Empty(recorder.All<NotificationDelivered>(e => e.SubscriberId == picky.Id));
    }

    [Fact]
    public async Task Matches_for_unknown_subscribers_are_ignored()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var known = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.2, ct);

        await host.PublishAsync(Subscribers.Scored((Guid.NewGuid(), 0.99), (known.Id, 0.9)), ct);

        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct);
        var only = Assert.Single(receiver.Received);
        Assert.Equal(known.Id, JsonDocument.Parse(only.Body).RootElement.GetProperty("subscriberId").GetGuid());
    }

    [Fact]
    public async Task Duplicate_and_redelivered_scores_still_post_exactly_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.3, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.8));
        var firstId = Guid.NewGuid();
        var secondId = Guid.NewGuid();

        await host.PublishAsync(scored, ct, firstId);
        await host.PublishAsync(scored, ct, secondId);                         // the same score published again
        await host.PublishAsync(scored, ct, firstId);                          // a redelivery of the first message
        await host.PublishAsync(scored with { ScoredAt = DateTimeOffset.UtcNow }, ct); // re-scored later

        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10), ct);
        // All four messages consumed, and everything they could have made due sent and announced.
        await host.SettledAsync(recorder, ct);

        Assert.Single(receiver.Received);
        Assert.Single(recorder.All<NotificationDelivered>(e => e.SubscriberId == subscriber.Id));
        Assert.Equal(1, (await host.DeliveriesAsync(subscriber.Id, ct)).GetArrayLength());
    }

    /// <remarks>
    /// A followed redirect would re-POST the signed body to wherever Location points, past <c>WebhookTargetPolicy</c>
    /// (SSRF), so the "webhooks" HttpClient must not follow one.
    /// </remarks>
    [Fact]
    public async Task Webhook_redirects_are_not_followed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var target = await WebhookReceiver.StartAsync();
        await using var redirector = await WebhookReceiver.StartAsync();
        redirector.DefaultStatus = 307;
        redirector.RedirectTo = target.Url("/internal");
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterWebhookAsync(redirector.Url(), threshold: 0.1, ct);

        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.9)), ct);

        await redirector.WaitForAsync(1, TimeSpan.FromSeconds(10), ct);
        await host.SettledAsync(recorder, ct); // the attempt, and any redirect it followed, is over
        // A public webhook URL that redirects must not make the service POST to another (possibly internal) address.
        Assert.Empty(target.Received);
        Assert.Empty(recorder.All<NotificationDelivered>(e => e.SubscriberId == subscriber.Id));
    }
}
