using MassTransit;
using Microsoft.Extensions.Options;

namespace Platform.Scoring.Results;

/// <summary>
/// <c>Scoring:Batch</c>: how many listings one scoring batch holds and how long a partial batch waits for more.
/// </summary>
public sealed class ScoringBatchOptions
{
    /// <summary>Most listings in one batch (and one <c>ScoreBatch</c> product against every subscriber).</summary>
    public int MessageLimit { get; set; } = 64;

    /// <summary>How long the first listing of a partial batch waits for the rest.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Batches scored at once. One is right: the product already uses every core, and the index is serialised.</summary>
    public int ConcurrencyLimit { get; set; } = 1;
}

/// <summary>
/// The <c>score-listing</c> endpoint (the name the single-message consumer had): a batch consumer whose endpoint
/// prefetches and admits enough messages to fill the batches it runs (the global
/// <c>Messaging:RabbitMq:PrefetchCount</c>, 16 by default, would cap every batch at 16).
/// </summary>
public sealed class ScoreListingConsumerDefinition : ConsumerDefinition<ScoreListingConsumer>
{
    public const string QueueName = "score-listing";

    private readonly ScoringBatchOptions _options;

    public ScoreListingConsumerDefinition(IOptions<ScoringBatchOptions> options)
    {
        _options = options.Value;
        if (_options.MessageLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.MessageLimit, "Scoring:Batch:MessageLimit must be at least 1.");
        if (_options.TimeLimit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(options), _options.TimeLimit, "Scoring:Batch:TimeLimit must be positive.");
        if (_options.ConcurrencyLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(options), _options.ConcurrencyLimit, "Scoring:Batch:ConcurrencyLimit must be at least 1.");

        EndpointName = QueueName;
        // Every message of every batch in flight is unacknowledged until its batch completes.
        ConcurrentMessageLimit = MessageCapacity;
    }

    /// <summary>Messages admitted at once: full batches for every concurrent batch, plus one batch being filled.</summary>
    public int MessageCapacity => _options.MessageLimit * (_options.ConcurrencyLimit + 1);

    protected override void ConfigureConsumer(IReceiveEndpointConfigurator endpointConfigurator,
        IConsumerConfigurator<ScoreListingConsumer> consumerConfigurator, IRegistrationContext context)
    {
        endpointConfigurator.PrefetchCount = MessageCapacity;
        consumerConfigurator.Options<BatchOptions>(batch => batch
            .SetMessageLimit(_options.MessageLimit)
            .SetTimeLimit(_options.TimeLimit)
            .SetConcurrencyLimit(_options.ConcurrencyLimit));
    }
}
