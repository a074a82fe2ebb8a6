using System.Diagnostics;
using MassTransit;
using Dapper;
using Platform.Data;

namespace Platform.Messaging;

/// <summary>Adds messages to a database's outbox inside the caller's unit of work.</summary>
public sealed class OutboxWriter<TDatabase>(OutboxSignal<TDatabase> signal, TimeProvider clock) where TDatabase : SqliteDatabase
{
    /// <returns>The message id the relay will publish it with (stable across re-sends).</returns>
    public async Task<Guid> AddAsync<T>(UnitOfWork uow, T message, CancellationToken ct = default) where T : class
    {
        var messageId = NewId.NextGuid();
        await uow.Connection.ExecuteAsync(new CommandDefinition(
            """
            INSERT INTO outbox_messages (message_id, message_type, body, created_at, trace_parent)
            VALUES (@MessageId, @MessageType, @Body, @CreatedAt, @TraceParent)
            """,
            new
            {
                MessageId = messageId,
                MessageType = MessageSerializer.TypeName(typeof(T)),
                Body = MessageSerializer.Serialize(message, typeof(T)),
                CreatedAt = clock.GetUtcNow(),
                TraceParent = Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null,
            },
            uow.Transaction, cancellationToken: ct));
        uow.AfterCommit(signal.Notify);
        return messageId;
    }
}
