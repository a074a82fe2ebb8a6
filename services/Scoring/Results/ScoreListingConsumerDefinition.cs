using Microsoft.Extensions.Options;
using Platform.Messaging;

namespace Platform.Scoring.Results;

/// <summary><c>Scoring:Batch</c>: 64 listings per batch (one <c>ScoreBatch</c> product against every subscriber).</summary>
public sealed class ScoringBatchOptions : BatchConsumerOptions
{
    public ScoringBatchOptions() => MessageLimit = 64;
}

/// <summary>The <c>score-listing</c> endpoint (the name the single-message consumer had), sized to fill its batches.</summary>
public sealed class ScoreListingConsumerDefinition(IOptions<ScoringBatchOptions> options)
    : BatchConsumerDefinition<ScoreListingConsumer>(QueueName, options.Value, "Scoring:Batch")
{
    public const string QueueName = "score-listing";
}
