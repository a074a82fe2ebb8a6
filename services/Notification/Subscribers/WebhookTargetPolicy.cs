using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Platform.Notification.Subscribers;

/// <summary>
/// Refuses webhook URLs that are not http(s) or that point at loopback, link-local or private networks (SSRF),
/// unless <see cref="NotificationOptions.AllowPrivateWebhookTargets"/> is set. Host names are checked again at
/// connect time against the addresses they resolve to (<see cref="WebhookConnector"/>).
/// </summary>
public sealed class WebhookTargetPolicy(IOptions<NotificationOptions> options)
{
    public bool AllowsPrivateTargets => options.Value.AllowPrivateWebhookTargets;

    public string? Check(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps) || uri.Host.Length == 0)
            return "Must be an absolute http or https URL.";
        if (AllowsPrivateTargets)
            return null;
        var host = uri.IdnHost.TrimEnd('.');
        if (uri.IsLoopback || host.Equals("localhost", StringComparison.OrdinalIgnoreCase) || host.EndsWith(".localhost", StringComparison.OrdinalIgnoreCase))
            return "Loopback targets are not allowed.";
        if (IPAddress.TryParse(uri.Host.Trim('[', ']'), out var address) && IsPrivate(address))
            return "Private-network targets are not allowed.";
        return null;
    }

    /// <summary>Loopback, unspecified, private, link-local, carrier-grade NAT and unique-local addresses (and their IPv4-mapped or NAT64 forms).</summary>
    public static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any)
            || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal)
            return true;
        if (address.AddressFamily == AddressFamily.InterNetworkV6)
        {
            var v6 = address.GetAddressBytes();
            var isNat64 = v6[0] == 0x00 && v6[1] == 0x64 && v6[2] == 0xff && v6[3] == 0x9b && v6[4..12].All(b => b == 0);
            return isNat64 && IsPrivate(new IPAddress(v6[12..]));
        }
        var b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 0 || b[0] == 127 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
