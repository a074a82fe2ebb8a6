namespace Platform.Embedding.Encoding;

/// <summary>Builds the exact text that gets embedded, so every caller embeds the same thing.</summary>
public static class EmbeddingText
{
    /// <summary>Title first: truncation at the token limit cuts the end of the abstract, never the title.</summary>
    public static string ForListing(string title, string? @abstract)
    {
        ArgumentNullException.ThrowIfNull(title);
        var trimmedTitle = title.Trim();
        var trimmedAbstract = @abstract?.Trim();
        return string.IsNullOrEmpty(trimmedAbstract) ? trimmedTitle : trimmedTitle + "\n" + trimmedAbstract;
    }

    public static string ForInterests(string interests)
    {
        ArgumentNullException.ThrowIfNull(interests);
        return interests.Trim();
    }
}
