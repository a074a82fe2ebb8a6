using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.Options;

namespace Platform.Notification.Links;

/// <summary>Absolute URLs of the link pages: <c>Notification:PublicBaseUrl</c>, else the service's own first listening address.</summary>
public sealed class PublicLinks(IOptions<NotificationOptions> options, LinkTokens tokens, IServiceProvider services)
{
    public const string Path = "/links/";

    public Uri BaseUrl
    {
        get
        {
            var configured = options.Value.PublicBaseUrl;
            if (!string.IsNullOrWhiteSpace(configured))
                return new Uri(configured.TrimEnd('/') + "/");
            var address = services.GetService<IServer>()?.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault() ?? "http://localhost";
            address = address.Replace("://+", "://localhost").Replace("://*", "://localhost").Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost");
            return new Uri(address.TrimEnd('/') + "/");
        }
    }

    public Uri For(LinkAction action, Guid subscriberId, Guid listingId = default) =>
        new(BaseUrl, Path.TrimStart('/') + tokens.Create(action, subscriberId, listingId));
}
