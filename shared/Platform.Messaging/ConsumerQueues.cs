using MassTransit;

namespace Platform.Messaging;

/// <summary>
/// How a consumer endpoint's queue and its <c>_error</c> queue are declared on RabbitMQ (<see cref="RabbitMqOptions.QueueType"/>).
/// </summary>
public static class ConsumerQueues
{
    /// <summary>
    /// A quorum queue with a delivery limit that dead-letters into <paramref name="errorQueue"/>'s exchange. MassTransit
    /// declares the <c>_error</c> queue with the very arguments of its endpoint queue, so an <c>_error</c> queue declared by
    /// anyone else (the dead-letter binding, a test reading it as an endpoint) must get them through here too, or one of
    /// the two declarations is refused (PRECONDITION_FAILED).
    /// </summary>
    public static void ConfigureQuorum(IRabbitMqQueueConfigurator queue, string errorQueue, RabbitMqOptions rabbit)
    {
        queue.SetQuorumQueue();
        queue.SetQueueArgument("x-delivery-limit", rabbit.DeliveryLimit);
        queue.SetQueueArgument("x-dead-letter-exchange", errorQueue);
    }

    /// <summary>An endpoint's queue per <paramref name="rabbit"/>: quorum with its dead-letter queue bound, or left to MassTransit (classic).</summary>
    internal static void Configure(IRabbitMqReceiveEndpointConfigurator endpoint, string queue, RabbitMqOptions rabbit)
    {
        if (rabbit.QueueType != RabbitMqQueueType.Quorum)
            return;
        var error = $"{queue}_error";
        ConfigureQuorum(endpoint, error, rabbit);
        endpoint.BindDeadLetterQueue(error, error, q => ConfigureQuorum(q, error, rabbit));
    }

    /// <summary>For an endpoint that reads an <c>_error</c> queue itself (tests, tools): the same declaration the services make.</summary>
    public static void ConfigureAsErrorQueue(IReceiveEndpointConfigurator endpoint, RabbitMqOptions? rabbit = null)
    {
        rabbit ??= new RabbitMqOptions();
        if (endpoint is IRabbitMqReceiveEndpointConfigurator queue && rabbit.QueueType == RabbitMqQueueType.Quorum)
            ConfigureQuorum(queue, queue.InputAddress.AbsolutePath.Split('/')[^1], rabbit);
    }
}
