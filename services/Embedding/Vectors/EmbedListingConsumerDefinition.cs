using MassTransit;
using Microsoft.Extensions.Options;

namespace Platform.Embedding.Vectors;

/// <summary>
/// <c>Embedding:Batch</c>: how many listings one batch holds and how long a partial batch waits for more.
/// </summary>
public sealed class EmbeddingBatchOptions
{
    /// <summary>Most listings in one batch (and one encoder call).</summary>
    public int MessageLimit { get; set; } = 32;

    /// <summary>How long the first listing of a partial batch waits for the rest.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Batches consumed at once. One is right for a CPU-bound encoder that already uses every core.</summary>
    public int ConcurrencyLimit { get; set; } = 1;
}

/// <summary>
/// The <c>embed-listing</c> endpoint: a batch consumer whose endpoint prefetches and admits enough messages to fill
/// the batches it runs (the global <c>Messaging:RabbitMq:PrefetchCount</c>, 16 by default, would cap every batch at 16).
/// </summary>
public sealed class EmbedListingConsumerDefinition : ConsumerDefinition<EmbedListingConsumer>
{
    private readonly EmbeddingBatchOptions _options;

    public EmbedListingConsumerDefinition(IOptions<EmbeddingBatchOptions> options)
    {
        _options = options.Value;
        if (_options.MessageLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MessageLimit, "Embedding:Batch:MessageLimit must be at least 1.");
        if (_options.TimeLimit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), _options.TimeLimit, "Embedding:Batch:TimeLimit must be positive.");
        if (_options.ConcurrencyLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.ConcurrencyLimit, "Embedding:Batch:ConcurrencyLimit must be at least 1.");

        EndpointName = "embed-listing";
        // Every message of every batch in flight is unacknowledged until its batch completes.
        ConcurrentMessageLimit = MessageCapacity;
    }

    /// <summary>Messages admitted at once: full batches for every concurrent batch, plus one batch being filled.</summary>
    public int MessageCapacity => _options.MessageLimit * (_options.ConcurrencyLimit + 1);

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<EmbedListingConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = MessageCapacity;
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_options.MessageLimit)
            .SetTimeLimit(_options.TimeLimit)
            .SetConcurrencyLimit(_options.ConcurrencyLimit));
    }
}
