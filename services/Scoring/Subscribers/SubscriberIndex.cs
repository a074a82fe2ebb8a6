using Dapper;
using Microsoft.Extensions.Options;
using Platform.Scoring.Models;
using Platform.Scoring.Torch;

namespace Platform.Scoring.Subscribers;

/// <summary>
/// The in-memory, on-device index of all subscribers' preference vectors, loaded from the database on first use
/// and kept in step with it after each committed change.
/// </summary>
public sealed class SubscriberIndex(ScoringDatabase database, IOptions<ScoringOptions> options, ILogger<SubscriberIndex> logger) : IDisposable
{
    private readonly SemaphoreSlim _loadLock = new(1, 1);
    private SubscriberVectorIndex? _index;

    public async Task<SubscriberVectorIndex> GetAsync(CancellationToken ct)
    {
        if (_index is not null)
            return _index;
        await _loadLock.WaitAsync(ct);
        try
        {
            if (_index is not null)
                return _index;
            TorchRuntime.EnsureLoaded(logger);
            var index = new SubscriberVectorIndex(options.Value.Dimension, TorchRuntime.SelectDevice(options.Value.Device, logger));
            await using var connection = await database.OpenAsync(ct);
            var rows = await connection.QueryAsync<StoredVector>(new CommandDefinition(
                "SELECT subscriber_id, vector FROM subscriber_vectors", cancellationToken: ct));
            foreach (var row in rows)
                index.Upsert(row.SubscriberId, row.Vector);
            logger.LogInformation("Loaded {Count} subscriber vectors onto {Device}", index.Count, options.Value.Device);
            return _index = index;
        }
        finally
        {
            _loadLock.Release();
        }
    }

    private sealed record StoredVector
    {
        public Guid SubscriberId { get; init; }
        public float[] Vector { get; init; } = [];
    }

    public void Dispose()
    {
        _index?.Dispose();
        _loadLock.Dispose();
    }
}
