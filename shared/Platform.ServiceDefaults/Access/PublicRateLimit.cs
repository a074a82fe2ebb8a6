using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Platform.ServiceDefaults.Access;

/// <summary>Requests per client address and window on public, unauthenticated endpoints (<c>RateLimiting:Public</c>).</summary>
public sealed class PublicRateLimitOptions
{
    public const string Section = "RateLimiting:Public";

    public int PermitLimit { get; set; } = 60;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

public static class PublicRateLimit
{
    /// <summary>The policy name: <c>.RequireRateLimiting(PublicRateLimit.Policy)</c>.</summary>
    public const string Policy = "public";

    /// <summary>
    /// A fixed window per client IP address, shared by every endpoint of the policy; a rejected request gets 429 problem
    /// details and Retry-After. Callers with an admin key are not limited.
    /// </summary>
    public static IHostApplicationBuilder AddPublicRateLimit(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<PublicRateLimitOptions>().BindConfiguration(PublicRateLimitOptions.Section)
            .Validate(o => o.PermitLimit > 0 && o.Window > TimeSpan.Zero, "RateLimiting:Public needs PermitLimit > 0 and a positive Window.")
            .ValidateOnStart();
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.AddPolicy(Policy, context =>
            {
                // Holders of an admin key (e.g. a bulk sign-up import) are not the public.
                if (context.User.IsInRole(AccessRoles.Admin))
                    return RateLimitPartition.GetNoLimiter("admin");
                var options = context.RequestServices.GetRequiredService<IOptionsMonitor<PublicRateLimitOptions>>().CurrentValue;
                var client = context.Connection.RemoteIpAddress?.ToString() ?? "unknown";
                return RateLimitPartition.GetFixedWindowLimiter(client, _ => new FixedWindowRateLimiterOptions
                {
                    PermitLimit = options.PermitLimit,
                    Window = options.Window,
                    QueueLimit = 0,
                });
            });
            limiter.OnRejected = async (context, ct) =>
            {
                var response = context.HttpContext.Response;
                response.StatusCode = StatusCodes.Status429TooManyRequests;
                if (context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter))
                    response.Headers.RetryAfter = ((int)Math.Ceiling(retryAfter.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
                await context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
                {
                    HttpContext = context.HttpContext,
                    ProblemDetails = { Status = StatusCodes.Status429TooManyRequests, Title = "Too many requests from this address; try again later." },
                });
            };
        });
        return builder;
    }
}
