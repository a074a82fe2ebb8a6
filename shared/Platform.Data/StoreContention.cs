using Microsoft.Data.Sqlite;

namespace Platform.Data;

/// <summary>
/// SQLite's "another writer holds the lock" errors (SQLITE_BUSY, SQLITE_LOCKED) outlasting the busy timeout: transient
/// by nature, so a message is retried with backoff rather than sent to an error queue, and an HTTP request gets 503.
/// </summary>
public static class StoreContention
{
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;

    public static bool IsContention(Exception exception) =>
        exception is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked }
        || exception.InnerException is { } inner && IsContention(inner);
}
