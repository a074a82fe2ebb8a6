using Dapper;
using Microsoft.Extensions.Options;
using Platform.Scoring.Models;
using Platform.Scoring.Rewards;
using Platform.Scoring.Torch;

namespace Platform.Scoring.Subscribers;

/// <summary>
/// The in-memory, on-device index of all subscribers' preference vectors, loaded from the database on first use
/// and kept in step with it after each committed change.
/// </summary>
public sealed class SubscriberIndex(ScoringDatabase database, IOptions<ScoringOptions> options, RewardModels rewards, ILogger<SubscriberIndex> logger) : IDisposable
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
            // The trained preference vector where there is one, else the stated-interest vector.
            var rows = await connection.QueryAsync<StoredVector>(new CommandDefinition(
                """
                SELECT s.subscriber_id, COALESCE(p.vector, s.vector) AS vector, p.norm, p.bias, p.examples
                FROM subscriber_vectors s LEFT JOIN preference_vectors p ON p.subscriber_id = s.subscriber_id
                """, cancellationToken: ct));
            foreach (var row in rows)
            {
                index.Upsert(row.SubscriberId, row.Vector);
                if (row.Examples is > 0)
                    rewards.SetCalibration(row.SubscriberId, new PreferenceVector(row.Vector, (float)row.Norm!.Value, (float)row.Bias!.Value, (int)row.Examples.Value));
            }

            foreach (var (id, quality, novelty) in await connection.QueryAsync<(Guid, double, double)>(new CommandDefinition(
                         "SELECT subscriber_id, quality, novelty FROM subscriber_reward_weights", cancellationToken: ct)))
                rewards.SetWeights(id, quality, novelty);
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
        public double? Norm { get; init; }
        public double? Bias { get; init; }
        public long? Examples { get; init; }
    }

    public void Dispose()
    {
        _index?.Dispose();
        _loadLock.Dispose();
    }
}
