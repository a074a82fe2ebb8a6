using Dapper;
using Microsoft.Data.Sqlite;

namespace Platform.Data;

/// <summary>
/// Applies pending migrations in order, each in its own transaction together with its version row.
/// Connections run with <c>foreign_keys = ON</c>, which SQLite cannot switch off inside a transaction: a migration that
/// rebuilds a parent table must copy rows before dropping it, or child rows cascade.
/// </summary>
public static class SchemaMigrator
{
    private const string VersionTable = """
        CREATE TABLE IF NOT EXISTS schema_migrations (
            scope      TEXT    NOT NULL,
            version    INTEGER NOT NULL,
            name       TEXT    NOT NULL,
            applied_at TEXT    NOT NULL,
            PRIMARY KEY (scope, version)
        );
        """;

    private static async Task<int> CurrentVersionAsync(SqliteConnection connection, string scope, SqliteTransaction? transaction, CancellationToken ct) =>
        await connection.ExecuteScalarAsync<int?>(new CommandDefinition(
            "SELECT MAX(version) FROM schema_migrations WHERE scope = @Scope", new { Scope = scope }, transaction, cancellationToken: ct)) ?? 0;

    public static async Task<IReadOnlyList<string>> MigrateAsync(SqliteConnection connection, IEnumerable<MigrationSource> sources, CancellationToken ct = default)
    {
        await connection.ExecuteAsync(new CommandDefinition(VersionTable, cancellationToken: ct));
        var applied = new List<string>();
        foreach (var source in sources)
        {
            var current = await CurrentVersionAsync(connection, source.Scope, null, ct);
            foreach (var migration in source.Load().Where(m => m.Version > current))
            {
                // BEGIN IMMEDIATE, then look again: another process may have applied it since the read above.
                await using var transaction = connection.BeginTransaction(deferred: false);
                if (await CurrentVersionAsync(connection, source.Scope, transaction, ct) >= migration.Version)
                    continue;
                await connection.ExecuteAsync(new CommandDefinition(migration.Sql, transaction: transaction, cancellationToken: ct));
                await connection.ExecuteAsync(new CommandDefinition(
                    "INSERT INTO schema_migrations (scope, version, name, applied_at) VALUES (@Scope, @Version, @Name, @AppliedAt)",
                    new { source.Scope, migration.Version, migration.Name, AppliedAt = DateTimeOffset.UtcNow }, transaction, cancellationToken: ct));
                await transaction.CommitAsync(ct);
                applied.Add($"{source.Scope}/{migration.Version:D4}_{migration.Name}");
            }
        }
        return applied;
    }
}
