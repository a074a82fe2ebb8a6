using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>Transient failures (5xx, 429, connection refused) are retried with backoff; other 4xx give up at once.</summary>
public sealed class WebhookRetryTests
{
    [Fact]
    public async Task Two_500s_then_200_is_delivered_on_the_third_attempt()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = (await WebhookReceiver.StartAsync()).Answer(500, 500, 200);
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.3, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.9));

        await host.PublishAsync(scored, ct);

        var (delivered, _) = await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(15), ct);
        Assert.Equal(3, delivered.Attempts);
        var requests = receiver.Received;
        Assert.Equal([500, 500, 200], requests.Select(r => r.AnsweredWith));
        // Every attempt is the same delivery (receivers deduplicate on it) with a valid, fresh signature.
        Assert.Single(requests.Select(r => r.Headers["X-Platform-Delivery"]).Distinct());
        Assert.Single(requests.Select(r => r.Body).Distinct());
        var entry = await host.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("status").GetString() == "delivered", ct);
        Assert.Equal(3, entry.GetProperty("attempts").GetInt32());
        Assert.Equal(System.Text.Json.JsonValueKind.Null, entry.GetProperty("lastError").ValueKind);
        Assert.Empty(recorder.All<NotificationFailed>());
    }

    [Fact]
    public async Task Status_400_gives_up_after_one_attempt_with_NotificationFailed()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = (await WebhookReceiver.StartAsync()).Answer(400);
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.3, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.9));

        await host.PublishAsync(scored, ct);

        var (failed, _) = await recorder.WaitForAsync<NotificationFailed>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(subscriber.Id, failed.SubscriberId);
        Assert.Equal(NotificationChannel.Webhook, failed.Channel);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains("HTTP 400", failed.Reason);
        var entry = await host.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("status").GetString() == "failed", ct);
        Assert.Equal(1, entry.GetProperty("attempts").GetInt32());
        Assert.Contains("HTTP 400", entry.GetProperty("lastError").GetString());

        await host.SettledAsync(recorder, ct);
        Assert.Single(receiver.Received);
        Assert.Empty(recorder.All<NotificationDelivered>(e => e.SubscriberId == subscriber.Id));
    }

    [Theory]
    [InlineData(404)]
    [InlineData(410)]
    public async Task Other_client_errors_give_up_at_once_too(int status)
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = (await WebhookReceiver.StartAsync()).Answer(status);
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.3, ct);

        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.9)), ct);

        var (failed, _) = await recorder.WaitForAsync<NotificationFailed>(e => e.SubscriberId == subscriber.Id, TimeSpan.FromSeconds(10), ct);
        Assert.Equal(1, failed.Attempts);
        Assert.Contains($"HTTP {status}", failed.Reason);
    }

    [Fact]
    public async Task Status_429_is_retried()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = (await WebhookReceiver.StartAsync()).Answer(429, 200);
        await using var host = await NotificationHost.StartAsync(temp, recorder);
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.3, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.9));

        await host.PublishAsync(scored, ct);

        var (delivered, _) = await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(15), ct);
        Assert.Equal(2, delivered.Attempts);
        Assert.Equal([429, 200], receiver.Received.Select(r => r.AnsweredWith));
        Assert.Empty(recorder.All<NotificationFailed>());
    }

    [Fact]
    public async Task Always_500_fails_after_MaxAttempts()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        receiver.DefaultStatus = 500;
        await using var host = await NotificationHost.StartAsync(temp, recorder, ("Notification:Delivery:MaxAttempts", "2"));
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.3, ct);
        var scored = Subscribers.Scored((subscriber.Id, 0.9));

        await host.PublishAsync(scored, ct);

        var (failed, _) = await recorder.WaitForAsync<NotificationFailed>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(15), ct);
        Assert.Equal(2, failed.Attempts);
        Assert.Contains("HTTP 500", failed.Reason);
        var entry = await host.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("status").GetString() == "failed", ct);
        Assert.Equal(2, entry.GetProperty("attempts").GetInt32());

        await host.SettledAsync(recorder, ct);
        Assert.Equal(2, receiver.Received.Count);
        Assert.Single(recorder.All<NotificationFailed>());
        Assert.Empty(recorder.All<NotificationDelivered>(e => e.SubscriberId == subscriber.Id));
    }

    [Fact]
    public async Task Receiver_that_does_not_answer_in_time_is_retried()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var recorder = new MessageRecorder();
        await using var receiver = (await WebhookReceiver.StartAsync()).Answer(200);
        receiver.Delay = TimeSpan.FromSeconds(3);
        await using var host = await NotificationHost.StartAsync(temp, recorder, ("Notification:Delivery:WebhookTimeout", "00:00:00.500"));
        var subscriber = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.3, ct);

        await host.PublishAsync(Subscribers.Scored((subscriber.Id, 0.9)), ct);

        var entry = await host.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("attempts").GetInt32() >= 1, ct);
        Assert.Equal("pending", entry.GetProperty("status").GetString());
        Assert.Equal("timed out", entry.GetProperty("lastError").GetString());
        receiver.Delay = TimeSpan.Zero;
        var (delivered, _) = await recorder.WaitForAsync<NotificationDelivered>(e => e.SubscriberId == subscriber.Id, TimeSpan.FromSeconds(15), ct);
        Assert.True(delivered.Attempts >= 2);
    }
}
