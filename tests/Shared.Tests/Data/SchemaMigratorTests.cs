using Dapper;
using Microsoft.Data.Sqlite;
using Platform.Data;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Data;

/// <summary><see cref="SchemaMigrator"/> on a plain connection to a real SQLite file.</summary>
public sealed class SchemaMigratorTests : IDisposable
{
    private readonly TempDirectory _temp = new("migrator");

    // Each migration depends on the one before it: applied out of order, they fail.
    private static readonly (string, string)[] Catalog =
    [
        ("0001_create.sql", "CREATE TABLE items (id INTEGER PRIMARY KEY, name TEXT NOT NULL);"),
        ("0002_add_column.sql", "ALTER TABLE items ADD COLUMN colour TEXT NULL;"),
        ("0003_seed.sql", "INSERT INTO items (id, name, colour) VALUES (1, 'first', 'red'); INSERT INTO items (id, name, colour) VALUES (2, 'second', 'blue');"),
    ];

    public void Dispose() => _temp.Dispose();

    private async Task<SqliteConnection> OpenAsync()
    {
        var connection = new SqliteConnection($"Data Source={_temp.File("migrator.db")};Pooling=False");
        await connection.OpenAsync(TestContext.Current.CancellationToken);
        return connection;
    }

    private static async Task<List<(string Scope, long Version, string Name)>> VersionsAsync(SqliteConnection connection) =>
        (await connection.QueryAsync<(string, long, string)>("SELECT scope, version, name FROM schema_migrations ORDER BY scope, version")).AsList();

    [Fact]
    public async Task Applies_migrations_in_order_and_records_scope_and_version()
    {
        DapperTypeHandlers.Register();
        await using var connection = await OpenAsync();

        var applied = await SchemaMigrator.MigrateAsync(connection, [ResourceAssembly.Migrations("shop", Catalog)], TestContext.Current.CancellationToken);

        Assert.Equal(["shop/0001_create", "shop/0002_add_column", "shop/0003_seed"], applied);
        Assert.Equal([("shop", 1L, "create"), ("shop", 2L, "add_column"), ("shop", 3L, "seed")], await VersionsAsync(connection));
        Assert.Equal(["first:red", "second:blue"], await connection.QueryAsync<string>("SELECT name || ':' || colour FROM items ORDER BY id"));
        var appliedAt = await connection.QueryAsync<string>("SELECT applied_at FROM schema_migrations");
        Assert.All(appliedAt, text => Assert.True(DateTimeOffset.TryParse(text, out var at) && Math.Abs((DateTimeOffset.UtcNow - at).TotalMinutes) < 5, text));
    }

    [Fact]
    public async Task Running_again_applies_nothing()
    {
        await using var connection = await OpenAsync();
        var source = ResourceAssembly.Migrations("shop", Catalog);
        await SchemaMigrator.MigrateAsync(connection, [source], TestContext.Current.CancellationToken);

        // The migrations are not idempotent (CREATE TABLE, INSERT with fixed keys): re-running any of them would throw.
        var again = await SchemaMigrator.MigrateAsync(connection, [source], TestContext.Current.CancellationToken);

        Assert.Empty(again);
        Assert.Equal(3, (await VersionsAsync(connection)).Count);
        Assert.Equal(2, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM items"));
    }

    [Fact]
    public async Task Applies_only_the_migrations_added_since_the_last_run()
    {
        await using var connection = await OpenAsync();
        await SchemaMigrator.MigrateAsync(connection, [ResourceAssembly.Migrations("shop", Catalog[..2])], TestContext.Current.CancellationToken);

        var applied = await SchemaMigrator.MigrateAsync(connection, [ResourceAssembly.Migrations("shop", Catalog)], TestContext.Current.CancellationToken);

        Assert.Equal(["shop/0003_seed"], applied);
        Assert.Equal([1L, 2L, 3L], (await VersionsAsync(connection)).Select(v => v.Version));
    }

    [Fact]
    public async Task Scopes_number_their_migrations_independently()
    {
        await using var connection = await OpenAsync();
        var shop = ResourceAssembly.Migrations("shop", Catalog);
        var audit = ResourceAssembly.Migrations("audit", ("0001_create.sql", "CREATE TABLE audit (id INTEGER PRIMARY KEY);"));

        var applied = await SchemaMigrator.MigrateAsync(connection, [shop, audit], TestContext.Current.CancellationToken);

        Assert.Equal(["shop/0001_create", "shop/0002_add_column", "shop/0003_seed", "audit/0001_create"], applied);
        Assert.Equal([("audit", 1L, "create"), ("shop", 1L, "create"), ("shop", 2L, "add_column"), ("shop", 3L, "seed")], await VersionsAsync(connection));
    }

    [Fact]
    public async Task A_failing_migration_leaves_no_trace_and_is_applied_once_fixed()
    {
        await using var connection = await OpenAsync();
        var ct = TestContext.Current.CancellationToken;
        await SchemaMigrator.MigrateAsync(connection, [ResourceAssembly.Migrations("shop", Catalog[..1])], ct);
        var broken = ResourceAssembly.Migrations("shop", Catalog[0],
            ("0002_broken.sql", "CREATE TABLE half_done (id INTEGER); INSERT INTO no_such_table VALUES (1);"));

        await Assert.ThrowsAsync<SqliteException>(() => SchemaMigrator.MigrateAsync(connection, [broken], ct));

        Assert.Equal([1L], (await VersionsAsync(connection)).Select(v => v.Version));
        Assert.Equal(0, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'"));

        var fixedSource = ResourceAssembly.Migrations("shop", Catalog[0], ("0002_fixed.sql", "CREATE TABLE half_done (id INTEGER);"));
        Assert.Equal(["shop/0002_fixed"], await SchemaMigrator.MigrateAsync(connection, [fixedSource], ct));
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM sqlite_master WHERE name = 'half_done'"));
    }
}
