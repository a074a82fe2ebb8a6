using Microsoft.Extensions.Options;

namespace Platform.Messaging;

/// <summary>
/// Where to send a message straight to one of this service's own queues (its endpoint queue, its <c>_error</c> queue).
/// </summary>
/// <remarks>
/// <c>queue:name</c> makes MassTransit declare the queue with default arguments, which RabbitMQ refuses for a quorum
/// queue declared with its delivery limit (PRECONDITION_FAILED: the send fails, and a consumer sending there faults and
/// loops). Such queues are reached through the exchange of the same name bound to each of them instead; in-memory and
/// classic queues keep MassTransit's own <c>queue:</c> address.
/// </remarks>
public sealed class QueueAddresses(IOptions<MessagingOptions> options)
{
    private readonly bool _declaredWithArguments =
        options.Value.Transport == MessagingTransport.RabbitMq && options.Value.RabbitMq.QueueType == RabbitMqQueueType.Quorum;

    public Uri For(string queue) => new(_declaredWithArguments ? $"exchange:{queue}" : $"queue:{queue}");
}
