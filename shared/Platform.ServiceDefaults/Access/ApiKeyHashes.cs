using System.Security.Cryptography;
using System.Text;

namespace Platform.ServiceDefaults.Access;

public static class ApiKeyHashes
{
    /// <summary>The hex SHA-256 to configure for <paramref name="key"/> (what <c>sha256sum</c> prints).</summary>
    public static string Of(string key) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(key)));

    public static bool TryParse(string? hex, out byte[] hash)
    {
        hash = [];
        hex = hex?.Trim();
        if (hex is not { Length: 64 })
            return false;
        try
        {
            hash = Convert.FromHexString(hex);
            return true;
        }
        catch (FormatException)
        {
            return false;
        }
    }
}
