using Dapper;
using MassTransit;
using Microsoft.Extensions.Options;
using Platform.Contracts;

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
public sealed class Rescoring(ScoringDatabase database, Rewards.RewardModels rewards, IBus send, IOptions<ScoringOptions> options)
{
    public const int MaxLimit = 100_000;

    public async Task<RescoreResponse> QueueAsync(RescoreRequest request, CancellationToken ct)
    {
        var version = rewards.ModelVersion;
        var limit = Math.Clamp(request.Limit ?? 1000, 1, MaxLimit);
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<StoredListing>(new CommandDefinition(
            """
            SELECT v.listing_id AS ListingId, v.vector AS Vector, v.stored_at AS StoredAt,
                   (SELECT s.title FROM scored_listings s WHERE s.listing_id = v.listing_id ORDER BY s.sequence DESC LIMIT 1) AS Title,
                   (SELECT s.url FROM scored_listings s WHERE s.listing_id = v.listing_id ORDER BY s.sequence DESC LIMIT 1) AS Url
            FROM listing_vectors v
            WHERE (@Since IS NULL OR v.stored_at >= @Since)
              AND NOT EXISTS (SELECT 1 FROM scored_listings s WHERE s.listing_id = v.listing_id AND s.model_version = @Version)
            ORDER BY v.stored_at
            LIMIT @Limit
            """, new { request.Since, Version = version, Limit = request.ListingIds is null ? limit : MaxLimit }, cancellationToken: ct));
        var wanted = request.ListingIds?.ToHashSet();
        var listings = rows.Where(r => wanted is null || wanted.Contains(r.ListingId)).Take(limit).ToList();

        var endpoint = await send.GetSendEndpoint(new Uri($"queue:{ScoreListingConsumerDefinition.QueueName}"));
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
