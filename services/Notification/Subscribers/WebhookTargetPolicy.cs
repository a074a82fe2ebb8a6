using System.Net;
using System.Net.Sockets;
using Microsoft.Extensions.Options;

namespace Platform.Notification.Subscribers;

/// <summary>
/// Refuses webhook URLs that are not http(s) or that point at loopback, link-local or private networks (SSRF),
/// unless <see cref="NotificationOptions.AllowPrivateWebhookTargets"/> is set.
/// </summary>
public sealed class WebhookTargetPolicy(IOptions<NotificationOptions> options)
{
    public string? Check(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            return "Must be an absolute http or https URL.";
        if (options.Value.AllowPrivateWebhookTargets)
            return null;
        if (uri.IsLoopback || uri.Host.Equals("localhost", StringComparison.OrdinalIgnoreCase))
            return "Loopback targets are not allowed.";
        if (IPAddress.TryParse(uri.Host, out var address) && IsPrivate(address))
            return "Private-network targets are not allowed.";
        return null;
    }

    private static bool IsPrivate(IPAddress address)
    {
        if (address.IsIPv4MappedToIPv6)
            address = address.MapToIPv4();
        if (IPAddress.IsLoopback(address) || address.IsIPv6LinkLocal || address.IsIPv6SiteLocal || address.IsIPv6UniqueLocal)
            return true;
        if (address.AddressFamily != AddressFamily.InterNetwork)
            return false;
        var b = address.GetAddressBytes();
        return b[0] == 10 || b[0] == 0 || (b[0] == 172 && b[1] is >= 16 and <= 31) || (b[0] == 192 && b[1] == 168)
            || (b[0] == 169 && b[1] == 254) || (b[0] == 100 && b[1] is >= 64 and <= 127);
    }
}
