using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Platform.ServiceDefaults.Access;

public static class AccessExtensions
{
    /// <summary>API-key authentication and the <see cref="AccessRoles"/> policies, configured from <c>Access</c>.</summary>
    public static IHostApplicationBuilder AddPlatformAccess(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<AccessOptions>()
            .BindConfiguration(AccessOptions.Section)
            .Validate(o => AccessOptions.Configured(o.PublisherKeys.Concat(o.AdminKeys)).All(k => ApiKeyHashes.TryParse(k.Sha256, out _)),
                "Every Access:PublisherKeys / Access:AdminKeys entry needs Sha256 = the 64 hex digits of the key's SHA-256 (printf %s \"$KEY\" | sha256sum).")
            .ValidateOnStart();
        builder.Services.AddAuthentication(ApiKeyAuthenticationHandler.SchemeName)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null);
        builder.Services.AddSingleton<IAuthorizationHandler, RoleOrOpenHandler>();
        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(AccessRoles.Publisher, p => p.AddRequirements(new RoleOrOpenRequirement(AccessRoles.Publisher)))
            .AddPolicy(AccessRoles.Admin, p => p.AddRequirements(new RoleOrOpenRequirement(AccessRoles.Admin)));
        builder.Services.AddHostedService<OpenAccessWarning>();
        return builder;
    }
}

/// <summary>Says at start-up which roles are open because no key is configured for them.</summary>
internal sealed class OpenAccessWarning(IOptions<AccessOptions> access, IHostEnvironment environment, ILogger<OpenAccessWarning> logger) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken)
    {
        var options = access.Value;
        if (!AccessOptions.Configured(options.PublisherKeys).Any())
            logger.LogWarning("{Application}: no Access:PublisherKeys configured, so anyone who can reach it may publish listings (zero-configuration default; configure keys in production)", environment.ApplicationName);
        if (!AccessOptions.Configured(options.AdminKeys).Any())
            logger.LogWarning("{Application}: no Access:AdminKeys configured, so its admin endpoints are open (zero-configuration default; configure keys in production)", environment.ApplicationName);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
