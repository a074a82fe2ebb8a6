namespace Platform.Embedding.Vectors;

/// <summary>A text's vector, the model that made it, and the hash that identifies (text, model).</summary>
public sealed record EmbeddedText(string ContentHash, string ModelId, float[] Vector);
