using System.Diagnostics;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring.Rewards;
using Platform.Scoring.Subscribers;

namespace Platform.Scoring.Results;

/// <summary>
/// Scores embedded listings in batches (<see cref="ScoreListingConsumerDefinition"/> sets the size and wait) and
/// publishes one result per listing, as <see cref="ListingScorer"/> makes it: relevance from each subscriber's
/// preference vector (one product for the whole batch), global quality and novelty rewards, combined per subscriber
/// with capped weights (<see cref="RewardWeights"/>), matches at or above the floor. A shadow
/// quality model, when set, is recorded but not published. Each message is claimed in the inbox on its own, so a
/// redelivered message has its effect once even when it arrives in another batch.
/// </summary>
/// <remarks>
/// MassTransit faults a batch as a whole when its consumer throws (MassTransit/MassTransit#3373), so a listing that
/// cannot be scored (another embedding model, a wrong dimension, a vector with no direction) must not throw here: it
/// is faulted on its own — a <c>Fault&lt;ListingEmbedded&gt;</c> is published and the message is sent to
/// <c>score-listing_error</c> with the reason in <c>MT-Fault-Message</c>, as MassTransit's error transport would —
/// while the rest of the batch commits. Anything that affects the whole batch (database, broker) still throws, so the
/// batch is retried and then moved as usual; the inbox makes the retry harmless for listings already done.
/// Novelty is computed as if the batch's listings were scored one after another (each is compared with the recent
/// listings and with its earlier batch-mates).
/// </remarks>
public sealed class ScoreListingConsumer(
    ScoringDatabase database,
    SubscriberIndex index,
    RewardModels rewards,
    ScoredListingStore results,
    OutboxWriter<ScoringDatabase> outbox,
    ScoringMetrics metrics,
    BatchFaults faults,
    IOptions<ScoringOptions> options,
    TimeProvider clock,
    ILogger<ScoreListingConsumer> logger) : IConsumer<Batch<ListingEmbedded>>
{
    /// <summary>Inbox consumer name: the same as the single-message consumer this replaced, so old claims still count.</summary>
    public const string InboxName = "ScoreListingConsumer";

    public async Task Consume(ConsumeContext<Batch<ListingEmbedded>> context)
    {
        var ct = context.CancellationToken;
        var settings = options.Value;
        var messages = context.Message.ToArray();
        var failures = new Exception?[messages.Length];
        var units = new float[messages.Length][];
        for (var i = 0; i < messages.Length; i++)
            (units[i], failures[i]) = ListingScorer.Validate(messages[i].Message, settings);

        var valid = Enumerable.Range(0, messages.Length).Where(i => failures[i] is null).ToArray();
        var scored = new ListingScored?[messages.Length];
        var shadows = new ListingScored?[messages.Length];
        if (valid.Length > 0)
        {
            var watch = Stopwatch.StartNew();
            var vectors = await index.GetAsync(ct);
            var listings = valid.Select(i => messages[i].Message).ToArray();
            var novelty = rewards.Novelty.NoveltyOfBatch([.. valid.Select(i => units[i])]);
            var scoredAt = clock.GetUtcNow();
            var scorer = new ListingScorer(settings, rewards);
            var active = scorer.Score(listings, [.. valid.Select(i => units[i])], vectors, rewards.Quality, novelty, scoredAt);
            var shadow = rewards.Shadow.IsTrained
                ? scorer.Score(listings, [.. valid.Select(i => units[i])], vectors, rewards.Shadow, novelty, scoredAt)
                : null;
            for (var k = 0; k < valid.Length; k++)
            {
                scored[valid[k]] = active[k];
                shadows[valid[k]] = shadow?[k];
            }

            metrics.RecordBatch(messages.Length, watch.Elapsed);
            logger.LogDebug("Scored a batch of {Count} listings ({Failed} refused) against {Subscribers} subscribers in {Elapsed} ms",
                messages.Length, messages.Length - valid.Length, vectors.Count, watch.Elapsed.TotalMilliseconds);
        }

        await using (var uow = await database.BeginAsync(ct))
        {
            var added = new List<float[]>();
            for (var i = 0; i < messages.Length; i++)
            {
                using var trace = MessageTrace.StartItem(messages[i], "scoring.listing");
                if (scored[i] is not { } result || !await uow.TryClaimAsync(messages[i], InboxName))
                    continue;
                var listing = messages[i].Message;
                var unit = units[i];
                await uow.Connection.ExecuteAsync(new CommandDefinition(
                    "INSERT OR IGNORE INTO listing_vectors (listing_id, vector, stored_at) VALUES (@ListingId, @unit, @ScoredAt)",
                    new { listing.ListingId, unit, result.ScoredAt }, uow.Transaction, cancellationToken: ct));
                if (await results.TryAddAsync(uow, result, ct))
                {
                    await outbox.AddAsync(uow, result, ct);
                    added.Add(unit);
                }

                if (shadows[i] is { } shadow && shadow.ModelVersion != result.ModelVersion)
                    await results.TryAddAsync(uow, shadow, ct);
            }

            uow.AfterCommit(() => added.ForEach(unit => rewards.Novelty.Add(unit)));
            await uow.CommitAsync(ct);
        }

        for (var i = 0; i < messages.Length; i++)
            if (failures[i] is { } failure)
                await FaultOneAsync(messages[i], failure);
    }

    /// <summary>Faults this one message into the endpoint's error queue, leaving the batch intact.</summary>
    private async Task FaultOneAsync(ConsumeContext<ListingEmbedded> message, Exception failure)
    {
        logger.LogError(failure, "Listing {ListingId} (message {MessageId}) moved to the error queue", message.Message.ListingId, message.MessageId);
        await faults.MoveToErrorQueueAsync(message, failure, TypeCache<ScoreListingConsumer>.ShortName);
    }
}
