using Platform.Messaging;
using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using MassTransit;
using Platform.Contracts;
using Platform.Scoring;
using Platform.Scoring.Rewards;
using Platform.Testing;
using Scoring.Tests.Rewards;

namespace Scoring.Tests.Service;

/// <summary>
/// The <c>score-listing</c> batch consumer on a real RabbitMQ and SQLite file: listings published together are scored
/// in one batch, a listing that cannot be scored goes to <c>score-listing_error</c> with its reason while its
/// batch-mates are published, and a redelivered message has its effect once.
/// </summary>
public sealed class BatchScoringTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("scoring-batch");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Listings_published_together_are_scored_in_one_batch_each_against_its_own_vector()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new ScoredRecorder();
        await using var host = await ScoringHost.StartAsync(vhost.AmqpUri, _temp.File("scoring.db"), recorder, ("Scoring:Batch:TimeLimit", "00:00:00.500"));
        using var batches = new BatchSizes(host.GetRequiredService<IMeterFactory>());
        var bus = host.GetRequiredService<IBus>();
        var data = new Synthetic(31);
        var subscriber = Guid.NewGuid();
        var interest = data.Centroid(0);
        await bus.Publish(ScoringHost.Interests(subscriber, interest), Ct);
        await WaitUntilAsync(async () => (await host.Client.GetAsync($"/subscriber-vectors/{subscriber}", Ct)).IsSuccessStatusCode);

        var listings = Enumerable.Range(0, 8).Select(i => ScoringHost.Listing(Synthetic.Mix(data.Listing(0), data.Listing(1 + i % 3), 0.3f))).ToList();
        await Task.WhenAll(listings.Select(l => bus.Publish(l, Ct)));

        foreach (var listing in listings)
        {
            var scored = await recorder.WaitForAsync(listing.ListingId, Ct);
            var relevance = scored.Matches.Single(m => m.SubscriberId == subscriber).Rewards["relevance"];
            Assert.Equal(Synthetic.Dot(PreferenceLearner.Unit(interest), PreferenceLearner.Unit(listing.Vector)), relevance, 5);
        }

        var sizes = batches.Snapshot();
        Assert.Equal(listings.Count, sizes.Sum());
        Assert.True(sizes.Length <= 2, $"{listings.Count} listings published together were scored in batches of {string.Join(", ", sizes)}");
    }

    [Fact]
    public async Task A_listing_that_cannot_be_scored_goes_to_the_error_queue_and_its_batch_mates_are_published()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new ScoredRecorder();
        await using var host = await ScoringHost.StartAsync(vhost.AmqpUri, _temp.File("scoring-poison.db"), recorder, ("Scoring:Batch:TimeLimit", "00:00:00.500"));
        using var batches = new BatchSizes(host.GetRequiredService<IMeterFactory>());
        var reasons = new ConcurrentQueue<(Guid ListingId, Guid? MessageId, string Reason)>();
        var faults = new ConcurrentQueue<Guid>();
        var connector = host.GetRequiredService<IReceiveEndpointConnector>();
        var errorQueue = connector.ConnectReceiveEndpoint("score-listing_error", (_, endpoint) =>
        {
            endpoint.ConfigureConsumeTopology = false;
            ConsumerQueues.ConfigureAsErrorQueue(endpoint); // declared as the services declare it
            endpoint.Handler<ListingEmbedded>(context =>
            {
                reasons.Enqueue((context.Message.ListingId, context.MessageId, context.ReceiveContext.TransportHeaders.Get<string>("MT-Fault-Message") ?? ""));
                return Task.CompletedTask;
            });
        });
        var faultQueue = connector.ConnectReceiveEndpoint("test-score-listing-faults", (_, endpoint) =>
            endpoint.Handler<Fault<ListingEmbedded>>(context =>
            {
                faults.Enqueue(context.Message.Message.ListingId);
                return Task.CompletedTask;
            }));
        await errorQueue.Ready.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await faultQueue.Ready.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var bus = host.GetRequiredService<IBus>();
        var data = new Synthetic(32);
        var subscriber = Guid.NewGuid();
        await bus.Publish(ScoringHost.Interests(subscriber, data.Centroid(1)), Ct);
        await WaitUntilAsync(async () => (await host.Client.GetAsync($"/subscriber-vectors/{subscriber}", Ct)).IsSuccessStatusCode);

        var good = Enumerable.Range(0, 4).Select(i => ScoringHost.Listing(data.Listing(i % 2))).ToList();
        var foreign = ScoringHost.Listing(data.Listing(1), modelId: "some-other-model@v2");
        var zero = ScoringHost.Listing(new float[data.Dimension]);
        var foreignMessageId = NewId.NextGuid();
        await Task.WhenAll(
            bus.Publish(good[0], Ct), bus.Publish(good[1], Ct),
            bus.Publish(foreign, c => c.MessageId = foreignMessageId, Ct),
            bus.Publish(good[2], Ct), bus.Publish(zero, Ct), bus.Publish(good[3], Ct));

        foreach (var listing in good)
            Assert.Contains((await recorder.WaitForAsync(listing.ListingId, Ct)).Matches, m => m.SubscriberId == subscriber);
        await WaitUntilAsync(() => Task.FromResult(reasons.Any(r => r.ListingId == foreign.ListingId) && reasons.Any(r => r.ListingId == zero.ListingId)));
        await WaitUntilAsync(() => Task.FromResult(faults.Contains(foreign.ListingId) && faults.Contains(zero.ListingId)));

        var moved = reasons.Single(r => r.ListingId == foreign.ListingId);
        Assert.Equal(foreignMessageId, moved.MessageId);
        Assert.Contains("some-other-model@v2", moved.Reason);
        Assert.Contains(ScoringHost.ModelId, moved.Reason);
        Assert.Contains("non-zero", reasons.Single(r => r.ListingId == zero.ListingId).Reason);
        Assert.Equal(2, reasons.Count); // only the two bad listings, each moved once
        Assert.Equal(System.Net.HttpStatusCode.NotFound, (await host.Client.GetAsync($"/scored-listings/{foreign.ListingId}", Ct)).StatusCode);
        Assert.Equal(0, recorder.PublishedCount(foreign.ListingId));
        Assert.Equal(0, recorder.PublishedCount(zero.ListingId));
        Assert.True(batches.Snapshot().Max() >= 2, "the bad listings shared a batch with good ones");
    }

    [Fact]
    public async Task A_redelivered_message_is_scored_once_whether_it_arrives_in_the_same_batch_or_a_later_one()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new ScoredRecorder();
        await using var host = await ScoringHost.StartAsync(vhost.AmqpUri, _temp.File("scoring-duplicates.db"), recorder, ("Scoring:Batch:TimeLimit", "00:00:00.300"));
        var bus = host.GetRequiredService<IBus>();
        var data = new Synthetic(33);
        await bus.Publish(ScoringHost.Interests(Guid.NewGuid(), data.Centroid(2)), Ct);

        var listing = ScoringHost.Listing(data.Listing(2));
        var messageId = NewId.NextGuid();
        await Task.WhenAll(bus.Publish(listing, c => c.MessageId = messageId, Ct), bus.Publish(listing, c => c.MessageId = messageId, Ct));
        await recorder.WaitForAsync(listing.ListingId, Ct);
        await bus.Publish(listing, c => c.MessageId = messageId, Ct); // as a redelivery after the first commit would bring it

        // Batches are scored one at a time in queue order and published in outbox order: once the marker's result is
        // in, so is any result of the copies queued before it.
        var marker = ScoringHost.Listing(data.Listing(3));
        await bus.Publish(marker, Ct);
        await recorder.WaitForAsync(marker.ListingId, Ct);
        Assert.Equal(1, recorder.PublishedCount(listing.ListingId));
    }

    private static async Task WaitUntilAsync(Func<Task<bool>> condition)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(60));
        while (!await condition())
            await Task.Delay(50, timeout.Token);
    }

    /// <summary>The batch sizes the host's <c>Platform.Scoring</c> meter records (only this host's, not another test's).</summary>
    private sealed class BatchSizes : IDisposable
    {
        private readonly MeterListener _listener = new();
        private readonly ConcurrentQueue<int> _sizes = new();

        public BatchSizes(IMeterFactory factory)
        {
            _listener.InstrumentPublished = (instrument, listener) =>
            {
                if (instrument.Meter.Name == ScoringMetrics.MeterName && ReferenceEquals(instrument.Meter.Scope, factory)
                    && instrument.Name == ScoringMetrics.BatchSizeName)
                    listener.EnableMeasurementEvents(instrument);
            };
            _listener.SetMeasurementEventCallback<int>((_, value, _, _) => _sizes.Enqueue(value));
            _listener.Start();
        }

        public int[] Snapshot() => [.. _sizes];

        public void Dispose() => _listener.Dispose();
    }
}
