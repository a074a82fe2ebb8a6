using Dapper;
using Platform.Data;
using Platform.Messaging;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Data;

/// <summary>How <see cref="SqliteDatabase"/> creates, migrates and configures a service's SQLite file.</summary>
public sealed class SqliteDatabaseTests : IDisposable
{
    private readonly TempDirectory _temp = new("sqlite-db");

    public void Dispose() => _temp.Dispose();

    private static readonly MigrationSource Things = ResourceAssembly.Migrations("things",
        ("0001_things.sql", "CREATE TABLE things (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
        ("0002_parts.sql", "CREATE TABLE parts (id INTEGER PRIMARY KEY, thing_id INTEGER NOT NULL REFERENCES things (id));"));

    [Fact]
    public async Task Creates_the_file_and_its_missing_folders_on_first_use()
    {
        var path = _temp.File(Path.Combine("not", "yet", "there", "service.db"));
        var database = new ScratchDatabase(path, Things);
        Assert.False(File.Exists(path));

        await database.EnsureMigratedAsync(TestContext.Current.CancellationToken);

        Assert.True(File.Exists(path));
        Assert.Equal(path, database.FilePath);
    }

    [Fact]
    public void Constructing_a_database_touches_nothing_on_disk()
    {
        var path = _temp.File(Path.Combine("lazy", "service.db"));

        _ = new ScratchDatabase(path, Things);

        Assert.False(Directory.Exists(Path.GetDirectoryName(path)));
    }

    [Fact]
    public void An_empty_path_means_data_slash_name_dot_db_under_the_working_directory()
    {
        var database = new ScratchDatabase(new DatabaseOptions { Path = " " }, Things);

        Assert.Equal(Path.GetFullPath(Path.Combine("data", "scratch.db")), database.FilePath);
    }

    [Fact]
    public async Task Applies_every_source_before_the_first_connection_is_handed_out()
    {
        var database = new ScratchDatabase(_temp.File("service.db"), MessagingMigrations.Source, Things);

        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);

        var tables = (await connection.QueryAsync<string>("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")).ToList();
        Assert.Superset(new HashSet<string> { "schema_migrations", "outbox_messages", "inbox_messages", "things", "parts" }, tables.ToHashSet());
        var versions = await connection.QueryAsync<(string, long)>("SELECT scope, version FROM schema_migrations ORDER BY scope, version");
        Assert.Equal([("messaging", 1L), ("messaging", 2L), ("things", 1L), ("things", 2L)], versions);
    }

    [Fact]
    public async Task A_restarted_service_does_not_migrate_its_file_again()
    {
        var path = _temp.File("service.db");
        await new ScratchDatabase(path, MessagingMigrations.Source, Things).EnsureMigratedAsync(TestContext.Current.CancellationToken);

        // A second instance is what a restarted process builds; the non-idempotent CREATE TABLEs would throw if re-run.
        var restarted = new ScratchDatabase(path, MessagingMigrations.Source, Things);
        await using var connection = await restarted.OpenAsync(TestContext.Current.CancellationToken);

        Assert.Equal(4, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Concurrent_first_uses_migrate_once()
    {
        var database = new ScratchDatabase(_temp.File("service.db"), MessagingMigrations.Source, Things);

        var connections = await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => database.OpenAsync(TestContext.Current.CancellationToken)));
        try
        {
            Assert.Equal(4, await connections[0].ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations"));
        }
        finally
        {
            foreach (var connection in connections)
                await connection.DisposeAsync();
        }
    }

    [Fact]
    public async Task Connections_use_WAL_the_configured_busy_timeout_and_synchronous_mode_and_enforce_foreign_keys()
    {
        var database = new ScratchDatabase(new DatabaseOptions { Path = _temp.File("service.db"), BusyTimeoutMs = 1234, Synchronous = "full" }, Things);

        // Several connections: the pool hands out reused ones too, and each must be configured.
        for (var i = 0; i < 3; i++)
        {
            await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
            Assert.Equal("wal", await connection.ExecuteScalarAsync<string>("PRAGMA journal_mode"));
            Assert.Equal(1234, await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
            Assert.Equal(2, await connection.ExecuteScalarAsync<long>("PRAGMA synchronous")); // FULL
            Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA foreign_keys"));
            var violation = await Assert.ThrowsAsync<Microsoft.Data.Sqlite.SqliteException>(() =>
                connection.ExecuteAsync("INSERT INTO parts (id, thing_id) VALUES (1, 999)"));
            Assert.Equal(19, violation.SqliteErrorCode); // SQLITE_CONSTRAINT
        }
        Assert.True(File.Exists(database.FilePath + "-wal") || File.Exists(database.FilePath + "-shm"), "WAL side files exist while connections are pooled");
    }

    [Fact]
    public async Task Defaults_are_a_five_second_busy_timeout_and_synchronous_normal()
    {
        var database = new ScratchDatabase(_temp.File("service.db"), Things);

        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);

        Assert.Equal(5000, await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("PRAGMA synchronous")); // NORMAL
    }

    [Fact]
    public async Task An_unknown_synchronous_mode_is_refused_instead_of_injected_into_the_pragma()
    {
        var database = new ScratchDatabase(new DatabaseOptions { Path = _temp.File("service.db"), Synchronous = "OFF; DROP TABLE things" }, Things);

        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => database.OpenAsync(TestContext.Current.CancellationToken));

        Assert.Contains("OFF, NORMAL, FULL, EXTRA", error.Message);
    }

    [Fact]
    public async Task Readers_see_committed_rows_while_a_writer_holds_its_transaction()
    {
        var database = new ScratchDatabase(_temp.File("service.db"), Things);
        var ct = TestContext.Current.CancellationToken;
        await using (var setup = await database.BeginAsync(ct))
        {
            await setup.Connection.ExecuteAsync("INSERT INTO things (id, name) VALUES (1, 'committed')", transaction: setup.Transaction);
            await setup.CommitAsync(ct);
        }

        await using var writer = await database.BeginAsync(ct);
        await writer.Connection.ExecuteAsync("INSERT INTO things (id, name) VALUES (2, 'pending')", transaction: writer.Transaction);

        // WAL: a reader is neither blocked by the open write transaction nor sees its rows.
        await using var reader = await database.OpenAsync(ct);
        Assert.Equal(["committed"], await reader.QueryAsync<string>("SELECT name FROM things ORDER BY id"));
    }
}
