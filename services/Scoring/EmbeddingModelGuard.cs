using Platform.Messaging;

namespace Platform.Scoring;

/// <summary>Refuses vectors that the reward models were not built for; such a message faults to the error queue with this reason.</summary>
public static class EmbeddingModelGuard
{
    public static void Check(ScoringOptions options, string modelId, int dimension, string what)
    {
        if (!string.Equals(modelId, options.EmbeddingModelId, StringComparison.Ordinal))
            throw new InvalidMessageException(
                $"Refused the vector of {what}: it comes from embedding model '{modelId}', but the reward models expect '{options.EmbeddingModelId}'.");
        if (dimension != options.Dimension)
            throw new InvalidMessageException($"Refused the vector of {what}: dimension {dimension}, expected {options.Dimension}.");
    }
}
