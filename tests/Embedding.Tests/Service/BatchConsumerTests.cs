using Dapper;
using MassTransit;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts;
using Platform.Embedding.Encoding;
using Platform.Testing;

namespace Embedding.Tests.Service;

/// <summary>The <c>embed-listing</c> batch consumer over a real RabbitMQ, with the real model and a real SQLite file.</summary>
public sealed class BatchConsumerTests(RabbitMqVirtualHostFixture rabbit, EncoderFixture model)
    : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("embedding-batch");

    public void Dispose() => _temp.Dispose();

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Listings_published_together_get_one_vector_each_and_identical_content_is_encoded_once()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new Recorder();
        var encoder = new CountingEncoder(model.Encoder);
        var database = _temp.File("embedding.db");
        await using var host = await EmbeddingHost.StartAsync(vhost.AmqpUri, database, recorder, encoder,
            ("Embedding:Batch:TimeLimit", "00:00:00.500"));
        var bus = host.GetRequiredService<IBus>();

        var first = EmbeddingHost.Listing("Graph neural networks for molecules", "Message passing predicts molecular properties.");
        var twin = EmbeddingHost.Listing("Graph neural networks for molecules", "Message passing predicts molecular properties.");
        var other = EmbeddingHost.Listing("Diffusion models for images", "Denoising score matching at scale.");
        var empty = EmbeddingHost.Listing("Untitled", "");
        var firstBatch = new[] { first, twin, other, empty };
        await Task.WhenAll(firstBatch.Select(l => bus.Publish(l, Ct)));

        var ids = firstBatch.Select(l => l.ListingId).ToHashSet();
        var embedded = await recorder.WaitForAsync<ListingEmbedded>(e => ids.Contains(e.ListingId), 4);
        Assert.Equal(ids, embedded.Select(e => e.Message.ListingId).ToHashSet());
        var byId = embedded.ToDictionary(e => e.Message.ListingId, e => e.Message);

        Assert.All(byId.Values, e =>
        {
            Assert.Equal(MiniLmEncoder.Id, e.ModelId);
            VectorMath.AssertUnit(e.Vector, 384);
        });
        Assert.Equal(byId[first.ListingId].ContentHash, byId[twin.ListingId].ContentHash);
        Assert.Equal(byId[first.ListingId].Vector, byId[twin.ListingId].Vector);
        Assert.NotEqual(byId[first.ListingId].ContentHash, byId[other.ListingId].ContentHash);
        var sameText = EmbeddingText.ForListing(first.Title, first.Abstract);
        Assert.Single(encoder.Encoded, t => t == sameText);
        Assert.True(VectorMath.Cosine(model.EncodeOne(sameText), byId[first.ListingId].Vector) >= 0.9999);

        // A later batch with the same content again: published for the new listing, not encoded again.
        var later = EmbeddingHost.Listing("Graph neural networks for molecules", "Message passing predicts molecular properties.");
        await bus.Publish(later, Ct);
        var again = (await recorder.WaitForAsync<ListingEmbedded>(e => e.ListingId == later.ListingId, 1))[0].Message;
        Assert.Equal(byId[first.ListingId].ContentHash, again.ContentHash);
        Assert.Single(encoder.Encoded, t => t == sameText);

        await using var connection = new SqliteConnection($"Data Source={database};Pooling=False");
        Assert.Equal(3L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM vectors"));
        Assert.Equal(5L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM listing_vectors"));
    }

    [Fact]
    public async Task Interest_statements_take_the_same_path_and_reuse_a_listing_vector_of_the_same_text()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new Recorder();
        var encoder = new CountingEncoder(model.Encoder);
        await using var host = await EmbeddingHost.StartAsync(vhost.AmqpUri, _temp.File("embedding.db"), recorder, encoder);
        var bus = host.GetRequiredService<IBus>();

        var listing = EmbeddingHost.Listing("Quantum error correction", null);
        await bus.Publish(listing, Ct);
        var vector = (await recorder.WaitForAsync<ListingEmbedded>(e => e.ListingId == listing.ListingId, 1))[0].Message;

        var subscriberId = Guid.NewGuid();
        await bus.Publish(new SubscriberRegistered
        {
            SubscriberId = subscriberId,
            Interests = "  Quantum error correction ",
            Threshold = 0.3,
            RegisteredAt = DateTimeOffset.UtcNow,
        }, Ct);
        var interests = (await recorder.WaitForAsync<SubscriberInterestsEmbedded>(e => e.SubscriberId == subscriberId, 1))[0].Message;

        Assert.Equal(vector.ContentHash, interests.ContentHash);
        Assert.Equal(vector.Vector, interests.Vector);
        Assert.Equal(MiniLmEncoder.Id, interests.ModelId);
        Assert.Single(encoder.Encoded, t => t == "Quantum error correction");
    }

    [Fact]
    public async Task A_redelivered_message_has_its_effect_once()
    {
        var vhost = await rabbit.RequireAsync();
        var recorder = new Recorder();
        var encoder = new CountingEncoder(model.Encoder);
        await using var host = await EmbeddingHost.StartAsync(vhost.AmqpUri, _temp.File("embedding.db"), recorder, encoder);
        var bus = host.GetRequiredService<IBus>();

        var listing = EmbeddingHost.Listing("Sparse attention for long documents", "Linear-time transformers.");
        var messageId = NewId.NextGuid();
        await bus.Publish(listing, c => c.MessageId = messageId, Ct);
        await recorder.WaitForAsync<ListingEmbedded>(e => e.ListingId == listing.ListingId, 1);
        await bus.Publish(listing, c => c.MessageId = messageId, Ct); // the same message again, as a redelivery would bring it

        // Batches are embedded one at a time in queue order and published in outbox order: once the marker's vector
        // is in, so is any vector of the copy queued before it.
        var marker = EmbeddingHost.Listing("Marker", "Published after the duplicate.");
        await bus.Publish(marker, Ct);
        await recorder.WaitForAsync<ListingEmbedded>(e => e.ListingId == marker.ListingId, 1);
        Assert.Single(recorder.All<ListingEmbedded>(e => e.ListingId == listing.ListingId));
    }
}
