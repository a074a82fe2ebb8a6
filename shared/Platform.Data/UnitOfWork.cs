using Microsoft.Data.Sqlite;

namespace Platform.Data;

/// <summary>
/// One connection and one transaction for one business operation. Disposing without <see cref="CommitAsync"/> rolls back.
/// Actions registered with <see cref="AfterCommit"/> run only once the commit succeeded (e.g. waking the outbox relay).
/// </summary>
public sealed class UnitOfWork : IAsyncDisposable
{
    private readonly List<Action> _afterCommit = [];
    private bool _committed;

    internal UnitOfWork(SqliteConnection connection, SqliteTransaction transaction)
    {
        Connection = connection;
        Transaction = transaction;
    }

    public SqliteConnection Connection { get; }
    public SqliteTransaction Transaction { get; }

    public void AfterCommit(Action action) => _afterCommit.Add(action);

    public async Task CommitAsync(CancellationToken ct = default)
    {
        await Transaction.CommitAsync(ct);
        _committed = true;
        foreach (var action in _afterCommit)
            action();
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_committed)
                await Transaction.RollbackAsync();
        }
        finally
        {
            await Transaction.DisposeAsync();
            await Connection.DisposeAsync();
        }
    }
}
