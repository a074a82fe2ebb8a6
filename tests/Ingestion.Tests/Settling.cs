using MassTransit;
using Platform.Contracts;
using Platform.Testing;

namespace Ingestion.Tests;

/// <summary>
/// Positive evidence that an ingestion host has published everything it is going to publish for what a test gave it
/// so far, for tests that then assert that no (second) event was published. A fixed sleep instead would pass
/// vacuously on a machine too slow to have got that far.
/// </summary>
internal static class Settling
{
    private const string MarkerSource = "settling-marker";
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    /// <summary>The message types the host consumes itself or records for the test (<see cref="IngestionHost"/>).</summary>
    private static readonly Type[] Consumed = [typeof(ListingSubmitted), typeof(ListingAccepted), typeof(Fault<ListingSubmitted>), typeof(ListingRejected)];

    /// <summary>The marker listing <see cref="SettledAsync"/> submits; leave it out when counting events.</summary>
    public static bool IsMarker(ListingAccepted accepted) => accepted.Source == MarkerSource;

    /// <summary>
    /// Waits until every message published on the host's bus so far has been consumed (so submissions over the bus are
    /// stored or refused), then submits a marker listing over the bus and waits for its <see cref="ListingAccepted"/>:
    /// the outbox relay publishes strictly in order, so every event written before the marker's (by a POST, by the
    /// submission consumer) has been published by then; and once more every published message is waited for until
    /// consumed, so the test's recorder holds them all.
    /// </summary>
    public static async Task SettledAsync(this TestServiceHost host, MessageRecorder recorder, CancellationToken ct)
    {
        var activity = host.GetRequiredService<BusActivity>();
        await activity.WaitUntilConsumedAsync(Patience, ct, Consumed);

        var marker = new ListingSubmitted { Source = MarkerSource, ExternalId = Guid.NewGuid().ToString("N"), Title = "Marker" };
        await host.GetRequiredService<IBus>().Publish(marker, ct);
        await recorder.WaitForAsync<ListingAccepted>(e => IsMarker(e) && e.ExternalId == marker.ExternalId, Patience, ct);

        await activity.WaitUntilConsumedAsync(Patience, ct, Consumed);
    }
}
