namespace Platform.ServiceDefaults.Access;

/// <summary>
/// API keys per role, bound from <c>Access</c>. Keys are stored only as SHA-256 hashes (hex), so a leaked
/// configuration file does not leak a usable key; several keys per role allow rotation (add the new key, move clients,
/// remove the old one). A role with no keys is open: the zero-configuration default, announced with a warning at start.
/// </summary>
public sealed class AccessOptions
{
    public const string Section = "Access";

    /// <summary>May publish listings (<c>POST /listings</c>). Admin keys are accepted as well.</summary>
    public List<ApiKeyHash> PublisherKeys { get; set; } = [];

    /// <summary>May use the admin endpoints: model registry, subscriber administration, replay.</summary>
    public List<ApiKeyHash> AdminKeys { get; set; } = [];

    /// <summary>The entries with a hash: an entry left empty (e.g. an unset variable in docker-compose) is no key.</summary>
    public static IEnumerable<ApiKeyHash> Configured(IEnumerable<ApiKeyHash> keys) => keys.Where(k => !string.IsNullOrWhiteSpace(k.Sha256));
}

/// <param name="Name">Shown in logs and traces when the key is used (never the key itself), e.g. "ops-2026-11".</param>
/// <param name="Sha256">Lower- or upper-case hex SHA-256 of the key's UTF-8 bytes: <c>printf %s "$KEY" | sha256sum</c>.</param>
public sealed record ApiKeyHash
{
    public string Name { get; init; } = "";
    public string Sha256 { get; init; } = "";
}
