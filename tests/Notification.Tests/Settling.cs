using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Platform.Contracts;
using Platform.Notification.Digests;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>
/// Positive evidence that a notification host has done everything it is going to do with what a test gave it so far,
/// for tests that then assert that something did not happen (no second webhook, no email yet, no event). A fixed
/// sleep instead would pass vacuously on a machine too slow to have got that far.
/// </summary>
internal static class Settling
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The message types the host consumes itself or records for the test (<see cref="NotificationHost"/>).</summary>
    private static readonly Type[] Consumed =
    [
        typeof(ListingScored), typeof(ListingAccepted), typeof(SubscriberRegistered), typeof(SubscriberUpdated), typeof(SubscriberRemoved),
        typeof(NotificationDelivered), typeof(NotificationFailed), typeof(FeedbackSubmitted),
    ];

    /// <summary>
    /// Waits until every message published on the host's bus so far has been consumed (so the listing-scored consumer
    /// has committed whatever deliveries it makes), then has a marker listing scored for a marker subscriber of its own
    /// and waits for the marker's webhook and its <see cref="NotificationDelivered"/>. The dispatcher sends due
    /// deliveries one at a time, oldest first, so every delivery that was due before the marker has been attempted by
    /// the time the marker's webhook arrives; the outbox relay publishes strictly in order, so every event written
    /// before the marker's (by a delivery, a link click, an API call) has been published by then; and once more every
    /// published message is waited for until consumed, so the test's recorders hold them all.
    /// </summary>
    /// <remarks>
    /// The marker adds a subscriber (webhook only), a <see cref="SubscriberRegistered"/> and a <see cref="NotificationDelivered"/>
    /// of its own; its sign-up counts against the public rate limit (60 a minute by default).
    /// </remarks>
    public static async Task SettledAsync(this TestServiceHost host, MessageRecorder recorder, CancellationToken ct)
    {
        var activity = host.GetRequiredService<BusActivity>();
        await activity.WaitUntilConsumedAsync(Patience, ct, Consumed);

        await using var receiver = await WebhookReceiver.StartAsync();
        var marker = await host.RegisterWebhookAsync(receiver.Url("/marker"), threshold: 0.1, ct);
        await host.PublishAsync(Subscribers.Scored((marker.Id, 0.9)) with { Title = "Marker" }, ct);
        await receiver.WaitForAsync(1, Patience, ct, "/marker");
        await recorder.WaitForAsync<NotificationDelivered>(e => e.SubscriberId == marker.Id, Patience, ct);

        await activity.WaitUntilConsumedAsync(Patience, ct, Consumed);
    }

    /// <summary>Runs one pass of the digest scheduler now, as its loop does every poll interval; returns how many digests it sent.</summary>
    public static Task<int> RunDigestsAsync(this TestServiceHost host, CancellationToken ct) =>
        host.Services.GetServices<IHostedService>().OfType<DigestScheduler>().Single().RunOnceAsync(ct);
}
