using Microsoft.Data.Sqlite;
using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>The delivery log is the source of truth: a pending delivery survives a restart of the service.</summary>
public sealed class DeliveryRestartTests
{
    [Fact]
    public async Task Pending_delivery_to_a_receiver_that_was_down_is_delivered_after_a_restart()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        var port = FreePort.Next();
        var url = new Uri($"http://127.0.0.1:{port}/hook");
        RegisteredSubscriber subscriber;
        var scored = Subscribers.Scored();
        // Enough attempts that the backoff cannot run out while the test restarts the host.
        (string, string?) attempts = ("Notification:Delivery:MaxAttempts", "30");

        await using (var first = await NotificationHost.StartAsync(temp, new MessageRecorder(), attempts))
        {
            subscriber = await first.RegisterWebhookAsync(url, threshold: 0.3, ct);
            scored = Subscribers.Scored((subscriber.Id, 0.9));
            await first.PublishAsync(scored, ct);

            // Nothing listens on the port: connection refused, so the delivery stays pending for a retry.
            var entry = await first.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("attempts").GetInt32() >= 1, ct);
            Assert.Equal("pending", entry.GetProperty("status").GetString());
            Assert.False(string.IsNullOrEmpty(entry.GetProperty("lastError").GetString()));
        }
        SqliteConnection.ClearAllPools();

        await using var receiver = await WebhookReceiver.StartAsync(port);
        var recorder = new MessageRecorder();
        await using var second = await NotificationHost.StartAsync(temp, recorder, attempts);

        var webhook = Assert.Single(await receiver.WaitForAsync(1, TimeSpan.FromSeconds(15), ct));
        Assert.Contains(scored.ListingId.ToString(), webhook.Body);
        var (delivered, _) = await recorder.WaitForAsync<NotificationDelivered>(e => e.ListingId == scored.ListingId, TimeSpan.FromSeconds(10), ct);
        Assert.True(delivered.Attempts >= 2, $"attempts = {delivered.Attempts}");
        var final = await second.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("status").GetString() == "delivered", ct);
        Assert.Equal(delivered.Attempts, final.GetProperty("attempts").GetInt32());

        await second.SettledAsync(recorder, ct);
        Assert.Single(receiver.Received);
    }

    [Fact]
    public async Task Scored_listing_consumed_before_a_restart_is_not_delivered_twice()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await using var receiver = await WebhookReceiver.StartAsync();
        var scored = Subscribers.Scored();
        var messageId = Guid.NewGuid();
        RegisteredSubscriber subscriber;

        await using (var first = await NotificationHost.StartAsync(temp, new MessageRecorder()))
        {
            subscriber = await first.RegisterWebhookAsync(receiver.Url(), threshold: 0.3, ct);
            scored = Subscribers.Scored((subscriber.Id, 0.9));
            await first.PublishAsync(scored, ct, messageId);
            await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10), ct);
            await first.WaitForDeliveryAsync(subscriber.Id, d => d.GetProperty("status").GetString() == "delivered", ct);
        }
        SqliteConnection.ClearAllPools();

        // The broker redelivers the same message to the restarted service (its inbox drops it), and scoring republishes it.
        var recorder = new MessageRecorder();
        await using var second = await NotificationHost.StartAsync(temp, recorder);
        await second.PublishAsync(scored, ct, messageId);
        await second.PublishAsync(scored, ct);
        await second.SettledAsync(recorder, ct);

        Assert.Single(receiver.Received);
        Assert.Equal(1, (await second.DeliveriesAsync(subscriber.Id, ct)).GetArrayLength());
    }
}
