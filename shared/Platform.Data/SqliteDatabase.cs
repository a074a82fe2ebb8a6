using Dapper;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Platform.Data;

/// <summary>
/// A service's own SQLite file: WAL, busy timeout, migrations applied once before first use,
/// and a fresh pooled connection per operation (SQLite connections are not thread-safe).
/// Each service derives a type of its own so that several services can share one DI container (the embedded default).
/// </summary>
public abstract class SqliteDatabase
{
    private readonly string _connectionString;
    private readonly DatabaseOptions _options;
    private readonly Lazy<Task> _migrated;

    protected SqliteDatabase(string name, DatabaseOptions options, ILogger logger, params MigrationSource[] migrations)
    {
        DapperTypeHandlers.Register();
        Name = name;
        _options = options;
        FilePath = System.IO.Path.GetFullPath(string.IsNullOrWhiteSpace(options.Path) ? System.IO.Path.Combine("data", $"{name}.db") : options.Path);
        _connectionString = new SqliteConnectionStringBuilder
        {
            DataSource = FilePath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Cache = SqliteCacheMode.Private,
            Pooling = true,
            DefaultTimeout = Math.Max(1, options.BusyTimeoutMs / 1000),
        }.ToString();
        _migrated = new Lazy<Task>(() => MigrateAsync(logger, migrations));
    }

    public string Name { get; }
    public string FilePath { get; }

    /// <summary>Opens a connection on a migrated database; the caller disposes it.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        await _migrated.Value.WaitAsync(ct);
        return await OpenConfiguredAsync(ct);
    }

    /// <summary>Starts a write transaction (<c>BEGIN IMMEDIATE</c>, so readers never deadlock upgrading to writers).</summary>
    public async Task<UnitOfWork> BeginAsync(CancellationToken ct = default)
    {
        var connection = await OpenAsync(ct);
        try
        {
            var transaction = connection.BeginTransaction(deferred: false);
            return new UnitOfWork(connection, transaction);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public Task EnsureMigratedAsync(CancellationToken ct = default) => _migrated.Value.WaitAsync(ct);

    private async Task<SqliteConnection> OpenConfiguredAsync(CancellationToken ct)
    {
        var connection = new SqliteConnection(_connectionString);
        await connection.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            $"PRAGMA busy_timeout = {_options.BusyTimeoutMs}; PRAGMA synchronous = {Synchronous()}; PRAGMA foreign_keys = ON;", cancellationToken: ct));
        return connection;
    }

    private string Synchronous() => _options.Synchronous.ToUpperInvariant() switch
    {
        var s and ("OFF" or "NORMAL" or "FULL" or "EXTRA") => s,
        var s => throw new InvalidOperationException($"Database synchronous mode '{s}' is not one of OFF, NORMAL, FULL, EXTRA."),
    };

    private async Task MigrateAsync(ILogger logger, MigrationSource[] migrations)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
        await using var connection = await OpenConfiguredAsync(CancellationToken.None);
        var mode = await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode = WAL;");
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            logger.LogWarning("SQLite database {Database} runs in journal mode {Mode}, not WAL", FilePath, mode);
        foreach (var applied in await SchemaMigrator.MigrateAsync(connection, migrations))
            logger.LogInformation("Applied migration {Migration} to {Database}", applied, FilePath);
    }
}
