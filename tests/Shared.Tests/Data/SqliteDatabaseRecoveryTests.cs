using Dapper;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Data;

public sealed class SqliteDatabaseRecoveryTests
{
    [Fact]
    public async Task A_database_that_failed_to_open_opens_once_the_problem_is_gone()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("recovery");
        var blocker = temp.File("blocker");
        File.WriteAllText(blocker, "");                        // a file where the database folder must go
        var db = ScratchDatabase.LikeTestDatabase(Path.Combine(blocker, "x.db"));
        await Assert.ThrowsAnyAsync<IOException>(() => db.OpenAsync(ct));

        File.Delete(blocker);                                  // the operator fixes it; no restart
        await using var connection = await db.OpenAsync(ct);
        Assert.Equal(1, await connection.ExecuteScalarAsync<long>("SELECT 1"));
    }
}

public sealed class ConcurrentMigrationTests
{
    [Fact]
    public async Task Several_processes_opening_one_new_database_at_once_each_see_it_migrated_once()
    {
        var ct = TestContext.Current.CancellationToken;
        using var temp = new TempDirectory("concurrent-migrations");
        var path = temp.File("shared.db");
        // Separate instances stand for separate processes: they share only the file.
        var instances = Enumerable.Range(0, 6).Select(_ => ScratchDatabase.LikeTestDatabase(path)).ToList();

        await Task.WhenAll(instances.Select(db => Task.Run(() => db.EnsureMigratedAsync(ct), ct)));

        await using var connection = await instances[0].OpenAsync(ct);
        var duplicates = await connection.ExecuteScalarAsync<long>(
            "SELECT COUNT(*) FROM (SELECT scope, version FROM schema_migrations GROUP BY scope, version HAVING COUNT(*) > 1)");
        Assert.Equal(0, duplicates);
        Assert.True(await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM schema_migrations") >= 2);
    }
}
