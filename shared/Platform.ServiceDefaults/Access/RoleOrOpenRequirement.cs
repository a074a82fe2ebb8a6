using Microsoft.AspNetCore.Authorization;
using Microsoft.Extensions.Options;

namespace Platform.ServiceDefaults.Access;

/// <summary>The caller holds <see cref="Role"/>, or no key at all is configured for that role (open by configuration).</summary>
internal sealed record RoleOrOpenRequirement(string Role) : IAuthorizationRequirement;

internal sealed class RoleOrOpenHandler(IOptionsMonitor<AccessOptions> access) : AuthorizationHandler<RoleOrOpenRequirement>
{
    protected override Task HandleRequirementAsync(AuthorizationHandlerContext context, RoleOrOpenRequirement requirement)
    {
        var options = access.CurrentValue;
        var open = requirement.Role switch
        {
            AccessRoles.Admin => !AccessOptions.Configured(options.AdminKeys).Any(),
            AccessRoles.Publisher => !AccessOptions.Configured(options.PublisherKeys).Any(),
            _ => false,
        };
        var holds = context.User.IsInRole(requirement.Role) || (requirement.Role == AccessRoles.Publisher && context.User.IsInRole(AccessRoles.Admin));
        if (open || holds)
            context.Succeed(requirement);
        return Task.CompletedTask;
    }
}
