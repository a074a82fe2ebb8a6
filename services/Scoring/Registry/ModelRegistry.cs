using System.Text.Json;
using Dapper;
using Platform.Scoring.Rewards;

namespace Platform.Scoring.Registry;

public sealed record RewardModelVersion
{
    public string Version { get; init; } = "";
    public string Kind { get; init; } = "";
    public string Status { get; init; } = "";
    public string Source { get; init; } = "";
    public string Metrics { get; init; } = "{}";
    public DateTimeOffset CreatedAt { get; init; }
    public DateTimeOffset? ActivatedAt { get; init; }
}

/// <summary>
/// Every trained or imported quality network is a version in the <c>reward_models</c> table (safetensors weights and
/// metrics). One is active (scores published), at most one in shadow (scores recorded, not published); activating a
/// version retires the previous one, and rollback re-activates the most recently activated retired version.
/// </summary>
public sealed class ModelRegistry(ScoringDatabase database, RewardModels rewards, TimeProvider clock, ILogger<ModelRegistry> logger)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<IReadOnlyList<RewardModelVersion>> ListAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return [.. await connection.QueryAsync<RewardModelVersion>(new CommandDefinition(
            "SELECT version, kind, status, source, metrics, created_at, activated_at FROM reward_models ORDER BY created_at, rowid", cancellationToken: ct))];
    }

    /// <summary>Loads the active and shadow versions into memory (at start-up).</summary>
    public async Task LoadActiveAsync(CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        foreach (var (version, status, weights) in await connection.QueryAsync<(string, string, byte[])>(new CommandDefinition(
                     "SELECT version, status, weights FROM reward_models WHERE status IN ('active', 'shadow')", cancellationToken: ct)))
        {
            (status == "active" ? rewards.Quality : rewards.Shadow).Swap(QualityModel.Import(weights), version);
            logger.LogInformation("Loaded {Status} quality model {Version}", status, version);
        }
    }

    /// <summary>Stores <paramref name="net"/> (not taken over) as a new version and makes it the active one.</summary>
    public async Task<string> RegisterAndActivateAsync(QualityNet net, string source, IReadOnlyDictionary<string, double> metrics, CancellationToken ct)
    {
        var version = await RegisterAsync(SafeTensors(net), source, metrics, ct);
        await ActivateAsync(version, ct);
        return version;
    }

    /// <summary>Stores a network's safetensors weights as a new, inactive (retired) version after checking they load.</summary>
    public async Task<string> RegisterAsync(byte[] safetensors, string source, IReadOnlyDictionary<string, double> metrics, CancellationToken ct)
    {
        using (QualityModel.Import(safetensors))
        {
            // throws when the file does not match the QualityNet layout
        }

        await _gate.WaitAsync(ct);
        try
        {
            await using var connection = await database.OpenAsync(ct);
            var next = 1 + await connection.ExecuteScalarAsync<long>(new CommandDefinition("SELECT COUNT(*) FROM reward_models", cancellationToken: ct));
            var version = $"quality-{next}";
            await connection.ExecuteAsync(new CommandDefinition(
                """
                INSERT INTO reward_models (version, kind, status, source, metrics, weights, created_at)
                VALUES (@version, 'quality', 'retired', @source, @metrics, @safetensors, @now)
                """,
                new { version, source, metrics = JsonSerializer.Serialize(metrics), safetensors, now = clock.GetUtcNow() }, cancellationToken: ct));
            return version;
        }
        finally
        {
            _gate.Release();
        }
    }

    public async Task ActivateAsync(string version, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var connection = await database.OpenAsync(ct);
            var weights = await LoadWeightsAsync(connection, version, ct);
            await using var tx = connection.BeginTransaction();
            await connection.ExecuteAsync("UPDATE reward_models SET status = 'retired' WHERE status = 'active' OR (status = 'shadow' AND version = @version)", new { version }, tx);
            await connection.ExecuteAsync("UPDATE reward_models SET status = 'active', activated_at = @now WHERE version = @version",
                new { version, now = clock.GetUtcNow() }, tx);
            await tx.CommitAsync(ct);
            rewards.Quality.Swap(QualityModel.Import(weights), version);
            if (rewards.Shadow.Version == version)
                rewards.Shadow.Swap(null);
            logger.LogInformation("Activated quality model {Version}", version);
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Re-activates the version that was active before the current one; false when there is none.</summary>
    public async Task<string?> RollbackAsync(CancellationToken ct)
    {
        string? previous;
        await using (var connection = await database.OpenAsync(ct))
        {
            previous = await connection.QuerySingleOrDefaultAsync<string>(new CommandDefinition(
                """
                SELECT version FROM reward_models WHERE status = 'retired' AND activated_at IS NOT NULL
                ORDER BY activated_at DESC, rowid DESC LIMIT 1
                """, cancellationToken: ct));
        }

        if (previous is null)
            return null;
        await ActivateAsync(previous, ct);
        return previous;
    }

    /// <summary>Runs a version in shadow: every listing is also scored with it and the result recorded, not published.</summary>
    public async Task ShadowAsync(string version, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            await using var connection = await database.OpenAsync(ct);
            var weights = await LoadWeightsAsync(connection, version, ct);
            await connection.ExecuteAsync("UPDATE reward_models SET status = 'retired' WHERE status = 'shadow'");
            await connection.ExecuteAsync("UPDATE reward_models SET status = 'shadow' WHERE version = @version AND status <> 'active'", new { version });
            rewards.Shadow.Swap(QualityModel.Import(weights), version);
        }
        finally
        {
            _gate.Release();
        }
    }

    public static byte[] SafeTensors(QualityNet net)
    {
        using var stream = new MemoryStream();
        TorchSharp.PyBridge.PyBridgeModuleExtensions.save_safetensors(net, stream);
        return stream.ToArray();
    }

    private static async Task<byte[]> LoadWeightsAsync(Microsoft.Data.Sqlite.SqliteConnection connection, string version, CancellationToken ct) =>
        await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
            "SELECT weights FROM reward_models WHERE version = @version", new { version }, cancellationToken: ct))
        ?? throw new KeyNotFoundException($"No reward model version '{version}'.");
}
