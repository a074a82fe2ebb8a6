using Dapper;
using MassTransit;
using Platform.Data;

namespace Platform.Messaging;

public static class InboxExtensions
{
    /// <summary>
    /// Claims a message for a consumer as the first statement of the consumer's transaction.
    /// False means another delivery of the same message already had its effect: commit nothing, just return.
    /// The claim rolls back with the transaction if the consumer fails, so a retry can claim it again.
    /// </summary>
    public static async Task<bool> TryClaimAsync(this UnitOfWork uow, ConsumeContext context, string consumer)
    {
        var messageId = context.MessageId
            ?? throw new InvalidOperationException($"{consumer} received a message without a message id; it cannot be deduplicated.");
        return await uow.TryClaimAsync(messageId, consumer, context.CancellationToken);
    }

    /// <summary>The same claim for code that has only the message id (a receive observer, a fault handler).</summary>
    public static async Task<bool> TryClaimAsync(this UnitOfWork uow, Guid messageId, string consumer, CancellationToken ct)
    {
        var inserted = await uow.Connection.ExecuteAsync(new CommandDefinition(
            "INSERT OR IGNORE INTO inbox_messages (message_id, consumer, processed_at) VALUES (@MessageId, @Consumer, @ProcessedAt)",
            new { MessageId = messageId, Consumer = consumer, ProcessedAt = DateTimeOffset.UtcNow },
            uow.Transaction, cancellationToken: ct));
        return inserted == 1;
    }
}
