using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.ServiceDefaults.Access;

/// <summary>
/// Authenticates <c>X-Api-Key</c> (or <c>Authorization: Bearer</c>) against the configured key hashes and gives the
/// caller the roles of the key that matched. No key is not a failure here: open roles are decided by the policies.
/// </summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> schemeOptions,
    IOptionsMonitor<AccessOptions> access,
    ILoggerFactory loggerFactory,
    UrlEncoder encoder) : AuthenticationHandler<AuthenticationSchemeOptions>(schemeOptions, loggerFactory, encoder)
{
    public const string SchemeName = "ApiKey";

    protected override Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        var key = PresentedKey();
        if (key is null)
            return Task.FromResult(AuthenticateResult.NoResult());

        var hash = SHA256.HashData(Encoding.UTF8.GetBytes(key));
        var options = access.CurrentValue;
        var claims = new List<Claim>();
        string? name = null;
        foreach (var (role, keys) in new[] { (AccessRoles.Admin, options.AdminKeys), (AccessRoles.Publisher, options.PublisherKeys) })
        {
            if (Matching(keys, hash) is not { } match)
                continue;
            name ??= match.Name;
            claims.Add(new Claim(ClaimTypes.Role, role));
        }
        if (name is null)
            return Task.FromResult(AuthenticateResult.Fail("The API key is not valid."));

        claims.Add(new Claim(ClaimTypes.Name, string.IsNullOrWhiteSpace(name) ? "unnamed key" : name));
        var principal = new ClaimsPrincipal(new ClaimsIdentity(claims, SchemeName));
        return Task.FromResult(AuthenticateResult.Success(new AuthenticationTicket(principal, SchemeName)));
    }

    private string? PresentedKey()
    {
        var headers = Request.Headers;
        if (headers[AccessRoles.ApiKeyHeader].ToString() is { Length: > 0 } apiKey)
            return apiKey.Trim();
        var authorization = headers.Authorization.ToString();
        return authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? authorization["Bearer ".Length..].Trim() : null;
    }

    private static ApiKeyHash? Matching(List<ApiKeyHash> keys, byte[] hash)
    {
        ApiKeyHash? match = null;
        foreach (var key in AccessOptions.Configured(keys))
        {
            // Every configured hash is compared, in constant time, so timing says nothing about which one matched.
            if (ApiKeyHashes.TryParse(key.Sha256, out var expected) && CryptographicOperations.FixedTimeEquals(expected, hash))
                match ??= key;
        }
        return match;
    }
}
