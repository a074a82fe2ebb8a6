using Dapper;
using Microsoft.Data.Sqlite;

namespace Reliability.Tests;

/// <summary>Read-only views of the four services' SQLite files, for the ledger (the services keep running: WAL readers do not block them).</summary>
public sealed class Stores(IReadOnlyDictionary<string, string> paths)
{
    public IReadOnlyDictionary<string, string> Paths => paths;

    public sealed record ListingRow
    {
        public required string Id { get; init; }
        public required string Source { get; init; }
        public required string ExternalId { get; init; }
    }

    public sealed record ScoredRow
    {
        public required string ListingId { get; init; }
        public required string ModelVersion { get; init; }
        public required string Matches { get; init; }
    }

    public sealed record DeliveryRow
    {
        public required string Id { get; init; }
        public required string SubscriberId { get; init; }
        public required string ListingId { get; init; }
        public required string Channel { get; init; }
        public required string Status { get; init; }
    }

    public Task<List<ListingRow>> ListingsAsync() =>
        QueryAsync<ListingRow>("ingestion", "SELECT id AS Id, source AS Source, external_id AS ExternalId FROM listings");

    public Task<List<string>> EmbeddedListingIdsAsync() =>
        QueryAsync<string>("embedding", "SELECT listing_id FROM listing_vectors");

    public Task<List<ScoredRow>> ScoredAsync() =>
        QueryAsync<ScoredRow>("scoring", "SELECT listing_id AS ListingId, model_version AS ModelVersion, matches AS Matches FROM scored_listings");

    public Task<List<DeliveryRow>> DeliveriesAsync() =>
        QueryAsync<DeliveryRow>("notification", "SELECT id AS Id, subscriber_id AS SubscriberId, listing_id AS ListingId, channel AS Channel, status AS Status FROM deliveries");

    public async Task<long> CountAsync(string store, string sql)
    {
        await using var connection = await OpenAsync(store);
        return await connection.ExecuteScalarAsync<long>(sql);
    }

    /// <summary>Outbox rows not yet published, per store that has an outbox.</summary>
    public async Task<Dictionary<string, long>> OutboxBacklogAsync()
    {
        var backlog = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (var store in paths.Keys)
            backlog[store] = await CountAsync(store, "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL");
        return backlog;
    }

    public async Task<string> IntegrityCheckAsync(string store)
    {
        await using var connection = await OpenAsync(store);
        return string.Join("; ", await connection.QueryAsync<string>("PRAGMA integrity_check"));
    }

    private async Task<List<T>> QueryAsync<T>(string store, string sql)
    {
        await using var connection = await OpenAsync(store);
        return [.. await connection.QueryAsync<T>(sql)];
    }

    private async Task<SqliteConnection> OpenAsync(string store)
    {
        var connection = new SqliteConnection($"Data Source={paths[store]};Mode=ReadOnly;Pooling=False;Default Timeout=30");
        await connection.OpenAsync();
        return connection;
    }
}
