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
