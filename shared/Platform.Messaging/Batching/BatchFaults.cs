using MassTransit;

namespace Platform.Messaging;

/// <summary>
/// Faults one message of a batch on its own. MassTransit faults a batch as a whole when its consumer throws
/// (MassTransit/MassTransit#3373: "it succeeds or fails as a batch"), so a batch consumer must not throw for one bad
/// message: it publishes that message's <c>Fault&lt;T&gt;</c> and sends it to the endpoint's <c>_error</c> queue with the
/// reason in <c>MT-Fault-Message</c>, as MassTransit's own error transport would, and the rest of the batch commits.
/// </summary>
public sealed class BatchFaults(QueueAddresses addresses)
{
    public async Task MoveToErrorQueueAsync<T>(ConsumeContext<T> message, Exception failure, string consumerType) where T : class
    {
        await message.NotifyFaulted(message, message.ReceiveContext.ElapsedTime, consumerType, failure);

        var queue = message.ReceiveContext.InputAddress.AbsolutePath.Split('/', StringSplitOptions.RemoveEmptyEntries)[^1];
        var errorQueue = await message.GetSendEndpoint(addresses.For($"{queue}_error"));
        await errorQueue.Send(message.Message, send =>
        {
            send.MessageId = message.MessageId;
            send.CorrelationId = message.CorrelationId;
            send.ConversationId = message.ConversationId;
            send.InitiatorId = message.InitiatorId;
            send.SourceAddress = message.SourceAddress;
            send.Headers.Set(MessageHeaders.Reason, "fault");
            send.Headers.Set(MessageHeaders.FaultExceptionType, TypeCache.GetShortName(failure.GetType()));
            send.Headers.Set(MessageHeaders.FaultMessage, failure.Message);
            send.Headers.Set(MessageHeaders.FaultTimestamp, DateTime.UtcNow.ToString("O"));
            send.Headers.Set(MessageHeaders.FaultConsumerType, consumerType);
            send.Headers.Set(MessageHeaders.FaultMessageType, TypeCache<T>.ShortName);
            send.Headers.Set(MessageHeaders.FaultStackTrace, failure.StackTrace);
        }, message.CancellationToken);
    }
}
