using System.Security.Cryptography;
using System.Text;

namespace Platform.Notification.Deliveries;

/// <summary>
/// <c>X-Platform-Signature: v1=hex(HMAC-SHA256(secret, "{X-Platform-Timestamp}.{raw body}"))</c>.
/// Receivers recompute it with the subscriber's secret and reject stale timestamps to stop replays.
/// </summary>
public static class WebhookSignature
{
    public const string SignatureHeader = "X-Platform-Signature";
    public const string TimestampHeader = "X-Platform-Timestamp";
    public const string DeliveryHeader = "X-Platform-Delivery";

    public static string Compute(string secret, long timestamp, string body)
    {
        var mac = HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), Encoding.UTF8.GetBytes($"{timestamp}.{body}"));
        return "v1=" + Convert.ToHexStringLower(mac);
    }

    public static bool Verify(string secret, long timestamp, string body, string signature) =>
        CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(secret, timestamp, body)), Encoding.ASCII.GetBytes(signature));
}
