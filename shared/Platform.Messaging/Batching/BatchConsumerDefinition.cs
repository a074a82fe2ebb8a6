using MassTransit;

namespace Platform.Messaging;

/// <summary>
/// A batch consumer's endpoint: it prefetches and admits enough messages to fill the batches it runs (the global
/// <c>Messaging:RabbitMq:PrefetchCount</c>, 16 by default, would cap every batch at 16), since every message of every
/// batch in flight stays unacknowledged until its batch completes.
/// </summary>
public abstract class BatchConsumerDefinition<TConsumer> : ConsumerDefinition<TConsumer> where TConsumer : class, IConsumer
{
    private readonly BatchConsumerOptions _options;

    /// <param name="section">The configuration section of <paramref name="options"/>, for error messages.</param>
    protected BatchConsumerDefinition(string endpointName, BatchConsumerOptions options, string section)
    {
        options.Validate(section);
        _options = options;
        EndpointName = endpointName;
        ConcurrentMessageLimit = options.MessageCapacity;
    }

    public int MessageCapacity => _options.MessageCapacity;

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<TConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = _options.MessageCapacity;
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_options.MessageLimit)
            .SetTimeLimit(_options.TimeLimit)
            .SetConcurrencyLimit(_options.ConcurrencyLimit));
    }
}
