using Microsoft.Extensions.Options;
using Platform.Messaging;

namespace Platform.Embedding.Vectors;

/// <summary><c>Embedding:Batch</c>: 32 listings per batch (one encoder call).</summary>
public sealed class EmbeddingBatchOptions : BatchConsumerOptions;

/// <summary>The <c>embed-listing</c> endpoint, sized to fill its batches.</summary>
public sealed class EmbedListingConsumerDefinition(IOptions<EmbeddingBatchOptions> options)
    : BatchConsumerDefinition<EmbedListingConsumer>("embed-listing", options.Value, "Embedding:Batch");
