using System.Diagnostics;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring.Models;
using Platform.Scoring.Rewards;
using Platform.Scoring.Subscribers;
using static TorchSharp.torch;

namespace Platform.Scoring.Results;

/// <summary>
/// Scores embedded listings in batches (<see cref="ScoreListingConsumerDefinition"/> sets the size and wait) and
/// publishes one result per listing: relevance from each subscriber's preference vector (one
/// <see cref="SubscriberVectorIndex.ScoreBatch"/> call for the whole batch, threshold and top-k on the device), global
/// quality and novelty rewards, combined per subscriber with capped weights (<see cref="RewardWeights"/>). A shadow
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
            (units[i], failures[i]) = Validate(messages[i].Message, settings);

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
            var active = Score(listings, [.. valid.Select(i => units[i])], vectors, rewards.Quality, novelty, settings, scoredAt);
            var shadow = rewards.Shadow.IsTrained
                ? Score(listings, [.. valid.Select(i => units[i])], vectors, rewards.Shadow, novelty, settings, scoredAt)
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

    /// <summary>The listing's unit vector, or why it cannot be scored.</summary>
    private static (float[] Unit, Exception? Failure) Validate(ListingEmbedded listing, ScoringOptions settings)
    {
        try
        {
            if (listing.Vector is null)
                throw new InvalidMessageException($"Refused listing {listing.ListingId}: it has no vector.");
            EmbeddingModelGuard.Check(settings, listing.ModelId, listing.Vector.Length, $"listing {listing.ListingId}");
            if (listing.Vector.Any(v => !float.IsFinite(v)))
                throw new InvalidMessageException($"Refused the vector of listing {listing.ListingId}: it has values that are not finite numbers.");
            try
            {
                return (PreferenceLearner.Unit(listing.Vector), null);
            }
            catch (ArgumentException e)
            {
                throw new InvalidMessageException($"Refused the vector of listing {listing.ListingId}: {e.Message}");
            }
        }
        catch (InvalidMessageException e)
        {
            return ([], e);
        }
    }

    private ListingScored[] Score(IReadOnlyList<ListingEmbedded> listings, IReadOnlyList<float[]> units, SubscriberVectorIndex vectors,
        QualityModel quality, float[] novelty, ScoringOptions settings, DateTimeOffset scoredAt)
    {
        var weights = settings.Rewards;
        var q = quality.Predict([.. listings.Select(l => l.Vector)]);
        var modelVersion = RewardModels.VersionFor(quality);
        // Per-subscriber weights move a score by at most the caps, so pre-filter on relevance with the largest possible
        // raise, then apply each subscriber's own combination and the floor exactly. One product serves the batch, so
        // the device keeps the lowest of the listings' floors and each listing is held to its own below.
        var floors = listings.Select((_, k) => (float)((settings.MatchFloor - (rewards.HasOwnWeights ? weights.MaxRaise : weights.GlobalAdjustment(q[k], novelty[k])))
                                                       / Math.Max(1e-9, weights.Relevance))).ToArray();
        IReadOnlyList<SubscriberScore>[] scores;
        using (NewDisposeScope())
        {
            var flat = units.SelectMany(u => u).ToArray();
            scores = vectors.ScoreBatch(tensor(flat, [units.Count, settings.Dimension], ScalarType.Float32), floors.Min(), Math.Max(1, settings.MaxMatches));
        }

        var scored = new ListingScored[listings.Count];
        for (var k = 0; k < listings.Count; k++)
        {
            var (listing, quality_k, novelty_k, floor) = (listings[k], q[k], novelty[k], floors[k]);
            var matches = scores[k]
                .Where(s => s.Score >= floor)
                .Take(settings.MaxMatches)
                .Select(s => (s.SubscriberId, Relevance: s.Score, Score: rewards.WeightsFor(s.SubscriberId).Combine(s.Score, quality_k, novelty_k)))
                .Where(m => m.Score >= settings.MatchFloor)
                .OrderByDescending(m => m.Score)
                .ToList();
            scored[k] = new ListingScored
            {
                ListingId = listing.ListingId,
                Title = listing.Title,
                Url = listing.Url,
                ModelVersion = modelVersion,
                EmbeddingModelId = listing.ModelId,
                GlobalRewards = new Dictionary<string, double>
                {
                    ["quality"] = Math.Round(quality_k, 6),
                    ["novelty"] = Math.Round(novelty_k, 6),
                },
                Matches = [.. matches.Select(m =>
                {
                    var matchRewards = new Dictionary<string, double> { ["relevance"] = Math.Round(m.Relevance, 6) };
                    if (rewards.LikeProbability(m.SubscriberId, m.Relevance) is { } p)
                        matchRewards["likeProbability"] = Math.Round(p, 6);
                    return new SubscriberMatch { SubscriberId = m.SubscriberId, Score = Math.Round(m.Score, 6), Rewards = matchRewards };
                })],
                ScoredAt = scoredAt,
            };
        }

        return scored;
    }

    /// <summary>Faults this one message into the endpoint's error queue, leaving the batch intact.</summary>
    private async Task FaultOneAsync(ConsumeContext<ListingEmbedded> message, Exception failure)
    {
        logger.LogError(failure, "Listing {ListingId} (message {MessageId}) moved to the error queue", message.Message.ListingId, message.MessageId);
        await faults.MoveToErrorQueueAsync(message, failure, TypeCache<ScoreListingConsumer>.ShortName);
    }
}
