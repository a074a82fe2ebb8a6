using Platform.Messaging;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts;
using Platform.Testing;

namespace Embedding.Tests.Service;

/// <summary>
/// One listing that cannot be embedded goes to <c>embed-listing_error</c> with its reason; the rest of its batch is
/// published. The real encoder takes any string (empty, huge, any script, NUL bytes), so the failing listing here is a
/// malformed message: a <c>listing-accepted</c> without a title (the contract requires one; ingestion never sends
/// such a message, another publisher could). It travels in the same batch as valid listings, which is the point.
/// </summary>
public sealed class PoisonListingTests(RabbitMqVirtualHostFixture rabbit, EncoderFixture model)
    : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("embedding-poison");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_listing_that_cannot_be_embedded_goes_to_the_error_queue_and_the_rest_of_its_batch_is_published()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new Recorder();
        await using var host = await EmbeddingHost.StartAsync(vhost.AmqpUri, _temp.File("embedding.db"), recorder,
            new CountingEncoder(model.Encoder), ("Embedding:Batch:TimeLimit", "00:00:01"));

        var errors = new Recorder();
        var faults = new Recorder();
        var connector = host.GetRequiredService<IReceiveEndpointConnector>();
        var errorQueue = connector.ConnectReceiveEndpoint("embed-listing_error", (_, endpoint) =>
        {
            endpoint.ConfigureConsumeTopology = false;
            ConsumerQueues.ConfigureAsErrorQueue(endpoint); // declared as the services declare it // only what is moved into the queue
            endpoint.Handler<ListingAccepted>(context =>
            {
                errors.Add(context.Message, context.MessageId, context.ReceiveContext.TransportHeaders.Get<string>("MT-Fault-Message") ?? "");
                return Task.CompletedTask;
            });
        });
        var faultQueue = connector.ConnectReceiveEndpoint("test-listing-accepted-faults", (_, endpoint) =>
            endpoint.Handler<Fault<ListingAccepted>>(context =>
            {
                faults.Add(context.Message, context.MessageId, context.Message.Exceptions.FirstOrDefault()?.Message ?? "");
                return Task.CompletedTask;
            }));
        await errorQueue.Ready.WaitAsync(TimeSpan.FromSeconds(30), Ct);
        await faultQueue.Ready.WaitAsync(TimeSpan.FromSeconds(30), Ct);

        var bus = host.GetRequiredService<IBus>();
        var good1 = EmbeddingHost.Listing("Protein folding with transformers", "Structure prediction from sequence.");
        var poison = EmbeddingHost.Listing("placeholder", "An abstract without a title.") with { Title = null! };
        var good2 = EmbeddingHost.Listing("Reinforcement learning for robotics", "Sim-to-real transfer.");
        var poisonMessageId = NewId.NextGuid();
        await Task.WhenAll(
            bus.Publish(good1, Ct),
            bus.Publish(poison, c => c.MessageId = poisonMessageId, Ct),
            bus.Publish(good2, Ct));

        var published = await recorder.WaitForAsync<ListingEmbedded>(e => e.ListingId == good1.ListingId || e.ListingId == good2.ListingId, 2);
        Assert.Equal(2, published.Count);

        var moved = await errors.WaitForAsync<ListingAccepted>(l => l.ListingId == poison.ListingId, 1);
        Assert.Equal(poisonMessageId, moved[0].MessageId);
        Assert.Contains("has no title", moved[0].Note);
        var fault = await faults.WaitForAsync<Fault<ListingAccepted>>(f => f.Message.ListingId == poison.ListingId, 1);
        Assert.Contains("has no title", fault[0].Note);

        // Markers behind them, a good listing and another poison one: batches run one at a time in queue order, so
        // once the good marker's vector is published and the poison marker is moved, everything the first batch was
        // going to publish (outbox order) or move (error queue order) is out too.
        var goodMarker = EmbeddingHost.Listing("Marker", "Published after the first batch.");
        var poisonMarker = EmbeddingHost.Listing("placeholder", "Another abstract without a title.") with { Title = null! };
        await bus.Publish(goodMarker, Ct);
        await bus.Publish(poisonMarker, Ct);
        await recorder.WaitForAsync<ListingEmbedded>(e => e.ListingId == goodMarker.ListingId, 1);
        await errors.WaitForAsync<ListingAccepted>(l => l.ListingId == poisonMarker.ListingId, 1);
        Assert.Empty(recorder.All<ListingEmbedded>(e => e.ListingId == poison.ListingId));
        Assert.Single(errors.All<ListingAccepted>(l => l.ListingId == poison.ListingId)); // moved once, not once per batch member
        Assert.Empty(errors.All<ListingAccepted>(l => l.ListingId != poison.ListingId && l.ListingId != poisonMarker.ListingId));
    }
}
