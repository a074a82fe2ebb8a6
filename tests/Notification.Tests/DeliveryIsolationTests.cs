using Platform.Contracts;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>One delivery that cannot be sent must not hold up the others.</summary>
public sealed class DeliveryIsolationTests
{
    /// <remarks>
    /// The email sender writes to a pickup directory that cannot be created (a file is in the way), so it throws. The
    /// dispatcher must treat that as a transient failure: count the attempt, reschedule, and go on with the batch.
    /// </remarks>
    [Fact]
    public async Task A_delivery_whose_sender_throws_is_retried_and_does_not_block_others()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("notification");
        await File.WriteAllTextAsync(temp.File("mail"), "a file where the pickup directory should be", ct);
        var recorder = new MessageRecorder();
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var host = await NotificationHost.StartAsync(temp, recorder,
            ("Notification:Delivery:MaxAttempts", "3"), ("Notification:Delivery:EmailPickupDirectory", temp.File("mail")));
        var reader = await host.RegisterAsync(new { email = "reader@example.com", interests = "Anything", threshold = 0.1 }, ct);
        var hooked = await host.RegisterWebhookAsync(receiver.Url(), threshold: 0.1, ct);

        // The email delivery is logged first, so it is due first.
        await host.PublishAsync(Subscribers.Scored((reader.Id, 0.9), (hooked.Id, 0.9)), ct);

        await receiver.WaitForAsync(1, TimeSpan.FromSeconds(10), ct);
        await recorder.WaitForAsync<NotificationDelivered>(e => e.SubscriberId == hooked.Id, TimeSpan.FromSeconds(10), ct);
        // The broken email delivery counts its attempts and finally fails like any other delivery.
        var (failed, _) = await recorder.WaitForAsync<NotificationFailed>(e => e.SubscriberId == reader.Id, TimeSpan.FromSeconds(15), ct);
        Assert.Equal(NotificationChannel.Email, failed.Channel);
        Assert.Equal(3, failed.Attempts);
    }
}
