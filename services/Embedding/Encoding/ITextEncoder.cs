namespace Platform.Embedding.Encoding;

/// <summary>Turns texts into unit-length sentence embeddings. Implementations are thread-safe.</summary>
public interface ITextEncoder
{
    /// <summary>Versioned id of the model and its runtime; vectors from different ids must not be compared.</summary>
    string ModelId { get; }

    /// <summary>Length of every returned vector.</summary>
    int Dimension { get; }

    /// <summary>Tokens per text, [CLS] and [SEP] included; longer texts are truncated, never rejected.</summary>
    int MaxTokens { get; }

    /// <summary>Returns one unit-length vector per text, in input order.</summary>
    /// <exception cref="ArgumentException">An entry of <paramref name="texts"/> is null.</exception>
    float[][] Encode(IReadOnlyList<string> texts);
}
