using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Embedding.Encoding;
using Platform.Messaging;

namespace Platform.Embedding.Vectors;

/// <summary>Embeds an accepted listing's title and abstract and publishes the vector.</summary>
public sealed class EmbedListingConsumer(EmbeddingDatabase database, VectorStore vectors, OutboxWriter<EmbeddingDatabase> outbox, TimeProvider clock)
    : IConsumer<ListingAccepted>
{
    public async Task Consume(ConsumeContext<ListingAccepted> context)
    {
        var listing = context.Message;
        var ct = context.CancellationToken;
        var embedded = await vectors.EmbedAsync(EmbeddingText.ForListing(listing.Title, listing.Abstract), ct);

        await using var uow = await database.BeginAsync(ct);
        if (!await uow.TryClaimAsync(context, nameof(EmbedListingConsumer)))
            return;
        await vectors.SaveAsync(uow, embedded, ct);
        var now = clock.GetUtcNow();
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR REPLACE INTO listing_vectors (listing_id, content_hash, embedded_at) VALUES (@ListingId, @ContentHash, @Now)",
            new { listing.ListingId, embedded.ContentHash, Now = now }, uow.Transaction, cancellationToken: ct));
        await outbox.AddAsync(uow, new ListingEmbedded
        {
            ListingId = listing.ListingId,
            Title = listing.Title,
            Url = listing.Url,
            ModelId = embedded.ModelId,
            Dimension = embedded.Vector.Length,
            Vector = embedded.Vector,
            ContentHash = embedded.ContentHash,
            EmbeddedAt = now,
        }, ct);
        await uow.CommitAsync(ct);
    }
}
