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
    private readonly ILogger _logger;
    private readonly MigrationSource[] _migrations;
    private readonly SemaphoreSlim _migrationLock = new(1, 1);
    private volatile bool _migrated;

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
        _logger = logger;
        _migrations = migrations;
    }

    public string Name { get; }
    public string FilePath { get; }

    /// <summary>Opens a connection on a migrated database; the caller disposes it.</summary>
    public async Task<SqliteConnection> OpenAsync(CancellationToken ct = default)
    {
        await EnsureMigratedAsync(ct);
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

    /// <summary>Migrates once per process; a failed attempt (folder not there yet, disk full, lock held) is retried by the next caller.</summary>
    public async Task EnsureMigratedAsync(CancellationToken ct = default)
    {
        if (_migrated)
            return;
        await _migrationLock.WaitAsync(ct);
        try
        {
            if (!_migrated)
            {
                await MigrateAsync(ct);
                _migrated = true;
            }
        }
        finally
        {
            _migrationLock.Release();
        }
    }

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

    private async Task MigrateAsync(CancellationToken ct)
    {
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(FilePath)!);
        await using var connection = await OpenConfiguredAsync(ct);
        var mode = await connection.ExecuteScalarAsync<string>(new CommandDefinition("PRAGMA journal_mode = WAL;", cancellationToken: ct));
        if (!string.Equals(mode, "wal", StringComparison.OrdinalIgnoreCase))
            _logger.LogWarning("SQLite database {Database} runs in journal mode {Mode}, not WAL", FilePath, mode);
        foreach (var applied in await SchemaMigrator.MigrateAsync(connection, _migrations, ct))
            _logger.LogInformation("Applied migration {Migration} to {Database}", applied, FilePath);
    }
}
