using Dapper;
using MassTransit;
using Platform.Contracts;
using Platform.Embedding.Encoding;
using Platform.Messaging;

namespace Platform.Embedding.Vectors;

/// <summary>
/// Embeds accepted listings in batches (<see cref="EmbedListingConsumerDefinition"/> sets the size and wait) and
/// publishes one vector per listing. Identical content is encoded once, within a batch and across batches (content
/// hash); every listing still gets its own <c>listing-embedded</c>. Each message is claimed in the inbox on its own,
/// so a redelivered message has its effect once even when it arrives in another batch.
/// </summary>
/// <remarks>
/// MassTransit faults a batch as a whole when its consumer throws (MassTransit/MassTransit#3373: "it succeeds or fails
/// as a batch"), so one listing that cannot be embedded must not throw here. Such a listing is faulted on its own:
/// a <c>Fault&lt;ListingAccepted&gt;</c> is published for it (<see cref="ConsumeContext.NotifyFaulted{T}"/>) and the
/// message is sent to <c>embed-listing_error</c> with the reason in <c>MT-Fault-Message</c>, as MassTransit's own
/// error transport would; the batch's other listings commit and their messages are acknowledged. Anything that
/// affects the whole batch (database, broker) still throws, so the batch is retried and then moved as usual; the inbox
/// makes the retry harmless for listings already done.
/// </remarks>
public sealed class EmbedListingConsumer(
    EmbeddingDatabase database, VectorStore vectors, OutboxWriter<EmbeddingDatabase> outbox, EmbeddingTelemetry telemetry,
    BatchFaults faults, TimeProvider clock, ILogger<EmbedListingConsumer> logger)
    : IConsumer<Batch<ListingAccepted>>
{
    /// <summary>Inbox consumer name: the same as the single-message consumer this replaced, so old claims still count.</summary>
    public const string InboxName = "EmbedListingConsumer";

    public async Task Consume(ConsumeContext<Batch<ListingAccepted>> context)
    {
        var ct = context.CancellationToken;
        var messages = context.Message.ToArray();
        var failures = new Exception?[messages.Length];

        var texts = new string[messages.Length];
        for (var i = 0; i < messages.Length; i++)
        {
            if (messages[i].Message.Title is null)
                failures[i] = new InvalidMessageException($"listing {messages[i].Message.ListingId} has no title; there is nothing to embed");
            else
                texts[i] = EmbeddingText.ForListing(messages[i].Message.Title, messages[i].Message.Abstract);
        }

        var valid = Enumerable.Range(0, messages.Length).Where(i => failures[i] is null).ToArray();
        var results = await vectors.EmbedManyAsync(valid.Select(i => texts[i]).ToArray(), ct);
        var embedded = new EmbeddedText?[messages.Length];
        for (var k = 0; k < valid.Length; k++)
        {
            embedded[valid[k]] = results[k].Embedded;
            if (results[k].Error is { } error)
                failures[valid[k]] = new InvalidMessageException(
                    $"listing {messages[valid[k]].Message.ListingId} could not be embedded: {error.GetType().Name}: {error.Message}");
        }

        var (encoded, reused, failed) = (results.Count(r => r is { Embedded: not null, FromCache: false }), results.Count(r => r.FromCache), failures.Count(f => f is not null));
        telemetry.RecordBatch(messages.Length, encoded, reused, failed);
        logger.LogDebug("Batch of {Count} listings: {Encoded} encoded, {Reused} reused, {Failed} failed", messages.Length, encoded, reused, failed);

        await using (var uow = await database.BeginAsync(ct))
        {
            var now = clock.GetUtcNow();
            var saved = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < messages.Length; i++)
            {
                using var trace = MessageTrace.StartItem(messages[i], "embedding.listing");
                if (embedded[i] is not { } vector || !await uow.TryClaimAsync(messages[i], InboxName))
                    continue;
                var listing = messages[i].Message;
                if (saved.Add(vector.ContentHash))
                    await vectors.SaveAsync(uow, vector, ct);
                await uow.Connection.ExecuteAsync(new CommandDefinition(
                    "INSERT OR REPLACE INTO listing_vectors (listing_id, content_hash, embedded_at) VALUES (@ListingId, @ContentHash, @Now)",
                    new { listing.ListingId, vector.ContentHash, Now = now }, uow.Transaction, cancellationToken: ct));
                await outbox.AddAsync(uow, new ListingEmbedded
                {
                    ListingId = listing.ListingId,
                    Title = listing.Title,
                    Url = listing.Url,
                    ModelId = vector.ModelId,
                    Dimension = vector.Vector.Length,
                    Vector = vector.Vector,
                    ContentHash = vector.ContentHash,
                    EmbeddedAt = now,
                }, ct);
            }
            await uow.CommitAsync(ct);
        }

        for (var i = 0; i < messages.Length; i++)
            if (failures[i] is { } failure)
                await FaultOneAsync(messages[i], failure);
    }

    /// <summary>Faults this one message into the endpoint's error queue, leaving the batch intact.</summary>
    private async Task FaultOneAsync(ConsumeContext<ListingAccepted> message, Exception failure)
    {
        logger.LogError(failure, "Listing {ListingId} (message {MessageId}) moved to the error queue", message.Message.ListingId, message.MessageId);
        await faults.MoveToErrorQueueAsync(message, failure, TypeCache<EmbedListingConsumer>.ShortName);
    }
}
