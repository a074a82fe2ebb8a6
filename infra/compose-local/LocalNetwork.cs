using System.Globalization;
using System.Text.RegularExpressions;

namespace Platform.ComposeLocal;

/// <summary>
/// Maps what a container sees (other services by host name, container ports, volume paths) to what a local process
/// sees (127.0.0.1, the local port of the stand-in, a folder). Only these rewrites are made to a value:
/// <list type="bullet">
/// <item>a variable whose name ends in <c>Host</c> (<c>…__Host</c>, <c>…_HOST</c>) and whose value is a service's host
/// name becomes <c>127.0.0.1</c>; the variable with the same name ending in <c>Port</c> then gets the local port of that
/// service's container port;</item>
/// <item>in a URL or <c>host:port</c> value, a service's host name and container port become <c>127.0.0.1</c> and the
/// local port; <c>localhost:&lt;published host port&gt;</c> becomes the local port of that service;</item>
/// <item>a value that starts with a volume's container path becomes the volume's local folder.</item>
/// </list>
/// Everything else is passed on unchanged: a misspelt variable name stays misspelt, and the service then runs on its
/// defaults, as it would in a container.
/// </summary>
public sealed partial class LocalNetwork
{
    public const string LoopbackAddress = "127.0.0.1";

    private readonly Dictionary<string, Dictionary<int, int>> ports = new(StringComparer.Ordinal);
    private readonly Dictionary<int, int> published = [];

    /// <summary>Registers a service reachable under <paramref name="hostNames"/> whose container port <paramref name="containerPort"/> is <paramref name="localPort"/> here.</summary>
    public void Add(IEnumerable<string> hostNames, int containerPort, int localPort)
    {
        foreach (var name in hostNames)
        {
            if (!ports.TryGetValue(name, out var map))
            {
                ports[name] = map = [];
            }

            map[containerPort] = localPort;
        }
    }

    /// <summary>Registers a host port that compose publishes (<c>ports: "8084:8080"</c>) and the local port it is here.</summary>
    public void AddPublished(int hostPort, int localPort) => published[hostPort] = localPort;

    public bool IsHost(string name) => ports.ContainsKey(name);

    /// <summary>The local port for <paramref name="host"/>'s container port, or null when there is no stand-in for it.</summary>
    public int? LocalPort(string host, int containerPort) =>
        ports.TryGetValue(host, out var map) && map.TryGetValue(containerPort, out var port) ? port : null;

    /// <summary>
    /// The environment a local process gets for <paramref name="environment"/>; <paramref name="volumes"/> maps
    /// container paths to local folders. Throws when a value names a service's port that has no local stand-in.
    /// </summary>
    public List<KeyValuePair<string, string>> Rewrite(IReadOnlyList<KeyValuePair<string, string>> environment,
        IReadOnlyDictionary<string, string> volumes, string service)
    {
        var hostOf = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in environment)
        {
            if (HostPrefix(key) is { } prefix && IsHost(value))
            {
                hostOf[prefix] = value;
            }
        }

        var result = new List<KeyValuePair<string, string>>(environment.Count);
        foreach (var (key, value) in environment)
        {
            result.Add(new(key, RewriteValue(key, value, hostOf, volumes, service)));
        }

        return result;
    }

    private string RewriteValue(string key, string value, Dictionary<string, string> hostOf,
        IReadOnlyDictionary<string, string> volumes, string service)
    {
        if (HostPrefix(key) is not null && IsHost(value))
        {
            return LoopbackAddress;
        }

        if (PortPrefix(key) is { } portPrefix && hostOf.TryGetValue(portPrefix, out var host)
            && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var containerPort))
        {
            return (LocalPort(host, containerPort)
                ?? throw new ComposeException($"{service}: {key}={value} names port {value} of '{host}', which has no local stand-in."))
                .ToString(CultureInfo.InvariantCulture);
        }

        var url = UrlPattern().Match(value);
        if (url.Success)
        {
            var urlHost = url.Groups["host"].Value;
            int? port = url.Groups["port"].Success ? int.Parse(url.Groups["port"].Value, CultureInfo.InvariantCulture) : DefaultPort(url.Groups["scheme"].Value);
            string? replacement = null;
            if (IsHost(urlHost))
            {
                var local = port is { } p ? LocalPort(urlHost, p) : null;
                replacement = local is { } l
                    ? $"{LoopbackAddress}:{l.ToString(CultureInfo.InvariantCulture)}"
                    : throw new ComposeException($"{service}: {key}={value} names port {port} of '{urlHost}', which has no local stand-in.");
            }
            else if (urlHost is "localhost" or LoopbackAddress && url.Groups["port"].Success && published.TryGetValue(port!.Value, out var local))
            {
                replacement = $"{urlHost}:{local.ToString(CultureInfo.InvariantCulture)}";
            }

            if (replacement is not null)
            {
                var hostPort = url.Groups["hostport"];
                return value[..hostPort.Index] + replacement + value[(hostPort.Index + hostPort.Length)..];
            }
        }

        foreach (var (target, local) in volumes.OrderByDescending(v => v.Key.Length))
        {
            var root = target.TrimEnd('/');
            if (value == root || value.StartsWith(root + "/", StringComparison.Ordinal))
            {
                return local + value[root.Length..];
            }
        }

        return value;
    }

    private static string? HostPrefix(string key) => Prefix(key, "Host");

    private static string? PortPrefix(string key) => Prefix(key, "Port");

    /// <summary><c>A__B__Host</c> → <c>A__B</c>; <c>SMTP_HOST</c> → <c>SMTP</c>; otherwise null.</summary>
    private static string? Prefix(string key, string last)
    {
        foreach (var separator in new[] { "__", ":", "_" })
        {
            var at = key.LastIndexOf(separator, StringComparison.Ordinal);
            if (at > 0 && key[(at + separator.Length)..].Equals(last, StringComparison.OrdinalIgnoreCase))
            {
                return key[..at];
            }
        }

        return null;
    }

    private static int? DefaultPort(string scheme) => scheme.ToLowerInvariant() switch
    {
        "http" => 80,
        "https" => 443,
        "amqp" => 5672,
        "amqps" => 5671,
        "smtp" => 25,
        _ => null,
    };

    [GeneratedRegex(@"^(?<scheme>[A-Za-z][A-Za-z0-9+.-]*)://(?<userinfo>[^@/]*@)?(?<hostport>(?<host>[^:/?#\[\]@]+)(:(?<port>\d+))?)")]
    private static partial Regex UrlPattern();
}
