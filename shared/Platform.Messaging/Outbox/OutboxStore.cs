using Dapper;
using Platform.Data;

namespace Platform.Messaging;

/// <summary>The relay's queries against a database's outbox and inbox tables.</summary>
internal static class OutboxStore
{
    public static async Task<IReadOnlyList<OutboxMessage>> NextUnsentAsync(SqliteDatabase database, int limit, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        var rows = await connection.QueryAsync<OutboxMessage>(new CommandDefinition(
            """
            SELECT sequence, message_id, message_type, body, created_at, attempts, trace_parent
            FROM outbox_messages WHERE sent_at IS NULL ORDER BY sequence LIMIT @Limit
            """,
            new { Limit = limit }, cancellationToken: ct));
        return rows.AsList();
    }

    public static async Task MarkSentAsync(SqliteDatabase database, long sequence, DateTimeOffset sentAt, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox_messages SET sent_at = @SentAt, attempts = attempts + 1, last_error = NULL WHERE sequence = @Sequence",
            new { Sequence = sequence, SentAt = sentAt }, cancellationToken: ct));
    }

    public static async Task RecordFailureAsync(SqliteDatabase database, long sequence, string error, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            "UPDATE outbox_messages SET attempts = attempts + 1, last_error = @Error WHERE sequence = @Sequence",
            new { Sequence = sequence, Error = error }, cancellationToken: ct));
    }

    public static async Task<long> BacklogAsync(SqliteDatabase database, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        return await connection.ExecuteScalarAsync<long>(new CommandDefinition(
            "SELECT COUNT(*) FROM outbox_messages WHERE sent_at IS NULL", cancellationToken: ct));
    }

    public static async Task DeleteExpiredAsync(SqliteDatabase database, DateTimeOffset before, CancellationToken ct)
    {
        await using var connection = await database.OpenAsync(ct);
        await connection.ExecuteAsync(new CommandDefinition(
            """
            DELETE FROM outbox_messages WHERE sent_at IS NOT NULL AND sent_at < @Before;
            DELETE FROM inbox_messages WHERE processed_at < @Before;
            """,
            new { Before = before }, cancellationToken: ct));
    }
}
