using System.Security.Cryptography;

namespace Platform.Embedding.Encoding;

/// <summary>Identifies an embedding by what produced it: the same text under another model gets another hash.</summary>
public static class ContentHash
{
    /// <summary>Lowercase hex SHA-256 of the UTF-8 bytes of <c>modelId + "\n" + text</c>.</summary>
    public static string Compute(string modelId, string text)
    {
        ArgumentNullException.ThrowIfNull(modelId);
        ArgumentNullException.ThrowIfNull(text);
        var hash = SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(modelId + "\n" + text));
        return Convert.ToHexStringLower(hash);
    }
}
