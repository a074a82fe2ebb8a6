using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Contracts;
using Platform.Messaging;

namespace Platform.Scoring.Results;

/// <summary>What to re-score: given listings, or those first scored since a time; at most <see cref="Limit"/>.</summary>
public sealed record RescoreRequest
{
    public Guid[]? ListingIds { get; init; }
    public DateTimeOffset? Since { get; init; }
    public int? Limit { get; init; }
}

public sealed record RescoreResponse(int Queued, string ModelVersion);

/// <summary>
/// Re-scores stored listings with the active reward models: each listing that has no result for the active version
/// yet is sent again to the service's own <c>score-listing</c> queue, with the vector scoring kept for it, so it
/// takes exactly the path of a new listing (batching, inbox, outbox, one result per listing and model version).
/// </summary>
public sealed class Rescoring(ScoringDatabase database, Rewards.RewardModels rewards, IBus send, QueueAddresses queues,
    IOptions<ScoringOptions> options)
{
    public const int MaxLimit = 100_000;

    public async Task<RescoreResponse> QueueAsync(RescoreRequest request, CancellationToken ct)
    {
        var version = rewards.ModelVersion;
        var limit = Math.Clamp(request.Limit ?? 1000, 1, MaxLimit);
        await using var connection = await database.OpenAsync(ct);
        // The title and url come from the listing's latest result (scoring keeps no other copy of them).
        var listings = (await connection.QueryAsync<StoredListing>(new CommandDefinition(
            $"""
            SELECT v.listing_id AS ListingId, v.vector AS Vector, v.stored_at AS StoredAt, s.title AS Title, s.url AS Url
            FROM listing_vectors v
            LEFT JOIN scored_listings s ON s.sequence = (SELECT MAX(sequence) FROM scored_listings WHERE listing_id = v.listing_id)
            WHERE (@Since IS NULL OR v.stored_at >= @Since)
              {(request.ListingIds is null ? "" : "AND v.listing_id IN @ListingIds")}
              AND NOT EXISTS (SELECT 1 FROM scored_listings r WHERE r.listing_id = v.listing_id AND r.model_version = @Version)
            ORDER BY v.stored_at
            LIMIT @Limit
            """, new
            {
                request.Since,
                // Dapper expands IN lists without the Guid type handler, so the ids go in as the TEXT they are stored as.
                ListingIds = request.ListingIds?.Select(id => id.ToString("D")).ToArray(),
                Version = version,
                Limit = limit,
            }, cancellationToken: ct))).AsList();

        var endpoint = await send.GetSendEndpoint(queues.For(ScoreListingConsumerDefinition.QueueName));
        var modelId = options.Value.EmbeddingModelId;
        foreach (var listing in listings)
        {
            await endpoint.Send(new ListingEmbedded
            {
                ListingId = listing.ListingId,
                Title = listing.Title ?? "",
                Url = listing.Url,
                ModelId = modelId,
                Dimension = listing.Vector.Length,
                Vector = listing.Vector,
                ContentHash = $"rescore:{listing.ListingId}",
                EmbeddedAt = listing.StoredAt,
            }, ct);
        }
        return new RescoreResponse(listings.Count, version);
    }

    private sealed record StoredListing
    {
        public Guid ListingId { get; init; }
        public float[] Vector { get; init; } = [];
        public DateTimeOffset StoredAt { get; init; }
        public string? Title { get; init; }
        public string? Url { get; init; }
    }
}
