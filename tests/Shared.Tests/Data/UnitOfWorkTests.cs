using System.Diagnostics;
using Dapper;
using Microsoft.Data.Sqlite;
using Platform.Data;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Data;

/// <summary><see cref="UnitOfWork"/>: commit, implicit rollback, after-commit actions and concurrent writers.</summary>
public sealed class UnitOfWorkTests : IDisposable
{
    private readonly TempDirectory _temp = new("uow");

    private static readonly MigrationSource Schema = ResourceAssembly.Migrations("uow",
        ("0001_notes.sql", """
            CREATE TABLE notes (id INTEGER PRIMARY KEY, text TEXT NOT NULL);
            CREATE TABLE owners (id INTEGER PRIMARY KEY);
            CREATE TABLE pets (id INTEGER PRIMARY KEY, owner_id INTEGER NOT NULL REFERENCES owners (id) DEFERRABLE INITIALLY DEFERRED);
            """));

    public void Dispose() => _temp.Dispose();

    private ScratchDatabase NewDatabase(int busyTimeoutMs = 5000) =>
        new(new DatabaseOptions { Path = _temp.File("uow.db"), BusyTimeoutMs = busyTimeoutMs }, Schema);

    private static async Task<List<string>> NotesAsync(SqliteDatabase database)
    {
        await using var connection = await database.OpenAsync(TestContext.Current.CancellationToken);
        return (await connection.QueryAsync<string>("SELECT text FROM notes ORDER BY id")).AsList();
    }

    private static Task InsertAsync(UnitOfWork uow, string text) =>
        uow.Connection.ExecuteAsync("INSERT INTO notes (text) VALUES (@Text)", new { Text = text }, uow.Transaction);

    [Fact]
    public async Task Committed_work_is_visible_to_other_connections()
    {
        var database = NewDatabase();
        await using (var uow = await database.BeginAsync(TestContext.Current.CancellationToken))
        {
            await InsertAsync(uow, "kept");
            await uow.CommitAsync(TestContext.Current.CancellationToken);
        }

        Assert.Equal(["kept"], await NotesAsync(database));
    }

    [Fact]
    public async Task Disposing_without_commit_rolls_back_and_releases_the_write_lock()
    {
        var database = NewDatabase(busyTimeoutMs: 200);
        await using (var uow = await database.BeginAsync(TestContext.Current.CancellationToken))
        {
            await InsertAsync(uow, "discarded");
            Assert.Empty(await NotesAsync(database)); // not visible before commit either
        }

        Assert.Empty(await NotesAsync(database));
        // The write lock is gone: with a 200 ms busy timeout the next writer would otherwise fail with SQLITE_BUSY.
        await using var next = await database.BeginAsync(TestContext.Current.CancellationToken);
        await InsertAsync(next, "next");
        await next.CommitAsync(TestContext.Current.CancellationToken);
        Assert.Equal(["next"], await NotesAsync(database));
    }

    [Fact]
    public async Task After_commit_actions_run_once_in_order_after_the_commit_is_durable()
    {
        var database = NewDatabase();
        var ran = new List<string>();
        await using var uow = await database.BeginAsync(TestContext.Current.CancellationToken);
        await InsertAsync(uow, "row");
        uow.AfterCommit(() =>
        {
            // Runs after COMMIT: another connection already sees the row (this is what lets a woken relay find it).
            using var check = new SqliteConnection($"Data Source={database.FilePath};Pooling=False");
            check.Open();
            ran.Add($"first:{check.ExecuteScalar<long>("SELECT COUNT(*) FROM notes")}");
        });
        uow.AfterCommit(() => ran.Add("second"));
        Assert.Empty(ran);

        await uow.CommitAsync(TestContext.Current.CancellationToken);

        Assert.Equal(["first:1", "second"], ran);
        await uow.DisposeAsync();
        Assert.Equal(["first:1", "second"], ran);
    }

    [Fact]
    public async Task After_commit_actions_do_not_run_on_rollback()
    {
        var database = NewDatabase();
        var ran = false;
        await using (var uow = await database.BeginAsync(TestContext.Current.CancellationToken))
        {
            await InsertAsync(uow, "discarded");
            uow.AfterCommit(() => ran = true);
        }

        Assert.False(ran);
    }

    [Fact]
    public async Task After_commit_actions_do_not_run_when_the_commit_fails_and_the_work_is_rolled_back()
    {
        var database = NewDatabase();
        var ran = false;
        await using (var uow = await database.BeginAsync(TestContext.Current.CancellationToken))
        {
            await InsertAsync(uow, "with an orphan");
            // A deferred foreign key is only checked at COMMIT, which therefore fails.
            await uow.Connection.ExecuteAsync("INSERT INTO pets (id, owner_id) VALUES (1, 404)", transaction: uow.Transaction);
            uow.AfterCommit(() => ran = true);

            var error = await Assert.ThrowsAsync<SqliteException>(() => uow.CommitAsync(TestContext.Current.CancellationToken));
            Assert.Equal(19, error.SqliteErrorCode); // SQLITE_CONSTRAINT (FOREIGN KEY)
        }

        Assert.False(ran);
        Assert.Empty(await NotesAsync(database));
    }

    [Fact]
    public async Task Two_concurrent_writers_both_succeed_the_second_waiting_for_the_first()
    {
        var database = NewDatabase();
        await database.EnsureMigratedAsync(TestContext.Current.CancellationToken);
        var firstHasLock = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var secondStarted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        long firstCommitting = 0, secondBegan = 0;

        var first = Task.Run(async () =>
        {
            await using var uow = await database.BeginAsync(TestContext.Current.CancellationToken);
            await InsertAsync(uow, "first");
            firstHasLock.SetResult();
            await secondStarted.Task;
            await Task.Delay(300, TestContext.Current.CancellationToken); // the second writer is now waiting for the lock
            firstCommitting = Stopwatch.GetTimestamp();
            await uow.CommitAsync(TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken);
        await firstHasLock.Task;

        var second = Task.Run(async () =>
        {
            secondStarted.SetResult();
            // BEGIN IMMEDIATE takes the write lock up front: this waits (busy_timeout) instead of failing or deadlocking later.
            await using var uow = await database.BeginAsync(TestContext.Current.CancellationToken);
            secondBegan = Stopwatch.GetTimestamp();
            await InsertAsync(uow, "second");
            await uow.CommitAsync(TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken);

        await Task.WhenAll(first, second);

        Assert.Equal(["first", "second"], await NotesAsync(database));
        Assert.True(secondBegan > firstCommitting, "the second writer began its transaction before the first committed");
    }

    [Fact]
    public async Task Many_concurrent_writers_all_commit()
    {
        var database = NewDatabase();
        var writers = Enumerable.Range(0, 20).Select(i => Task.Run(async () =>
        {
            await using var uow = await database.BeginAsync(TestContext.Current.CancellationToken);
            var count = await uow.Connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM notes", transaction: uow.Transaction);
            // Read-then-write inside the transaction: with a deferred BEGIN this pattern fails with SQLITE_BUSY under contention.
            await InsertAsync(uow, $"{i}:{count}");
            await uow.CommitAsync(TestContext.Current.CancellationToken);
        }, TestContext.Current.CancellationToken));

        await Task.WhenAll(writers);

        var notes = await NotesAsync(database);
        Assert.Equal(20, notes.Count);
        // Serialised writers: each saw exactly the rows committed before it.
        Assert.Equal(Enumerable.Range(0, 20).Select(n => (long)n), notes.Select(n => long.Parse(n.Split(':')[1])));
    }

    [Fact]
    public async Task A_writer_gives_up_with_SQLITE_BUSY_when_the_lock_is_held_past_the_timeout()
    {
        var database = NewDatabase(busyTimeoutMs: 300);
        await using var holder = await database.BeginAsync(TestContext.Current.CancellationToken);
        await InsertAsync(holder, "holding");

        var stopwatch = Stopwatch.StartNew();
        var error = await Assert.ThrowsAsync<SqliteException>(() => database.BeginAsync(TestContext.Current.CancellationToken));

        Assert.Equal(5, error.SqliteErrorCode); // SQLITE_BUSY
        // About 1.2 s of it is sleeping in SQLite's busy handler (the 1 s command timeout of 300 ms busy waits), hardly
        // any CPU, so a slow machine takes about as long; the default busy timeout (5 s) would take longer than the bound.
        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(4), $"gave up after {stopwatch.Elapsed}");
    }
}
