using Dapper;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Platform.Data;

/// <summary>Ready when the service's database opens, is migrated, and answers a query.</summary>
public sealed class SqliteHealthCheck<TDatabase>(TDatabase database) : IHealthCheck where TDatabase : SqliteDatabase
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        try
        {
            await using var connection = await database.OpenAsync(ct);
            await connection.ExecuteScalarAsync<int>(new CommandDefinition("SELECT 1", cancellationToken: ct));
            return HealthCheckResult.Healthy(database.FilePath);
        }
        catch (Exception ex)
        {
            return HealthCheckResult.Unhealthy($"SQLite database {database.FilePath} is not usable.", ex);
        }
    }
}
