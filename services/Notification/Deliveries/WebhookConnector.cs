using System.Net;
using System.Net.Sockets;
using Platform.Notification.Subscribers;

namespace Platform.Notification.Deliveries;

/// <summary>
/// The webhook client's connect step: resolves the host and refuses private addresses at connect time, so a public
/// name that resolves (or rebinds) to an internal address cannot be used for SSRF. Redirects are never followed.
/// </summary>
public static class WebhookConnector
{
    public static SocketsHttpHandler CreateHandler(WebhookTargetPolicy policy) => new()
    {
        AllowAutoRedirect = false,
        ConnectCallback = (context, ct) => ConnectAsync(context.DnsEndPoint, policy, ct),
    };

    private static async ValueTask<Stream> ConnectAsync(DnsEndPoint endpoint, WebhookTargetPolicy policy, CancellationToken ct)
    {
        var addresses = IPAddress.TryParse(endpoint.Host, out var literal) ? [literal] : await Dns.GetHostAddressesAsync(endpoint.Host, ct);
        var allowed = policy.AllowsPrivateTargets ? addresses : [.. addresses.Where(a => !WebhookTargetPolicy.IsPrivate(a))];
        if (allowed.Length == 0)
            throw new HttpRequestException($"Webhook host {endpoint.Host} resolves only to private or loopback addresses, which are not allowed.");

        var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            await socket.ConnectAsync(allowed, endpoint.Port, ct);
            return new NetworkStream(socket, ownsSocket: true);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
