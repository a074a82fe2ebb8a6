using System.Text.Json;
using Dapper;
using Platform.Contracts;
using Platform.Data;

namespace Platform.Scoring.Results;

public sealed class ScoredListingStore(ScoringDatabase database)
{
    private const string Select =
        "SELECT sequence, listing_id, model_version, title, url, embedding_model_id, global_rewards, matches, scored_at FROM scored_listings";

    /// <returns>False when this listing already has a result from this model version (nothing is written).</returns>
    public async Task<bool> TryAddAsync(UnitOfWork uow, ListingScored scored, CancellationToken ct)
    {
        var inserted = await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT OR IGNORE INTO scored_listings (listing_id, model_version, title, url, embedding_model_id, global_rewards, matches, scored_at)
            VALUES (@ListingId, @ModelVersion, @Title, @Url, @EmbeddingModelId, @GlobalRewards, @Matches, @ScoredAt)
            """,
            new
            {
                scored.ListingId, scored.ModelVersion, scored.Title, scored.Url, scored.EmbeddingModelId,
                GlobalRewards = JsonSerializer.Serialize(scored.GlobalRewards, JsonSerializerOptions.Web),
                Matches = JsonSerializer.Serialize(scored.Matches, JsonSerializerOptions.Web),
                scored.ScoredAt,
            }, uow.Transaction, cancellationToken: ct));
        return inserted == 1;
    }

    public async Task<IReadOnlyList<ScoredListing>> ForListingAsync(Guid listingId, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE listing_id = @ListingId ORDER BY sequence", new { ListingId = listingId }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToScoredListing())];
    }

    /// <summary>Scored results after the cursor, oldest first.</summary>
    public async Task<IReadOnlyList<ScoredListing>> FeedAsync(long after, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<Row>(new CommandDefinition(
            $"{Select} WHERE sequence > @After ORDER BY sequence LIMIT @Limit", new { After = after, Limit = limit }, cancellationToken: ct));
        return [.. rows.Select(r => r.ToScoredListing())];
    }

    private sealed record Row
    {
        public long Sequence { get; init; }
        public Guid ListingId { get; init; }
        public string ModelVersion { get; init; } = "";
        public string Title { get; init; } = "";
        public string? Url { get; init; }
        public string EmbeddingModelId { get; init; } = "";
        public string GlobalRewards { get; init; } = "{}";
        public string Matches { get; init; } = "[]";
        public DateTimeOffset ScoredAt { get; init; }

        public ScoredListing ToScoredListing() => new(Sequence, ListingId, ModelVersion, Title, Url, EmbeddingModelId,
            JsonSerializer.Deserialize<Dictionary<string, double>>(GlobalRewards, JsonSerializerOptions.Web)!,
            JsonSerializer.Deserialize<List<SubscriberMatch>>(Matches, JsonSerializerOptions.Web)!,
            ScoredAt);
    }
}
