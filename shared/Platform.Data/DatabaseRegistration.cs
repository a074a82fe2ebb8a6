using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Platform.Data;

public static class DatabaseRegistration
{
    /// <summary>
    /// Registers a service's database as a singleton, its options bound from <c>{section}:Database</c>,
    /// and a readiness check. The database type's constructor takes <c>IOptionsMonitor&lt;DatabaseOptions&gt;</c> and reads the named options.
    /// </summary>
    public static IHostApplicationBuilder AddSqliteDatabase<TDatabase>(this IHostApplicationBuilder builder, string section)
        where TDatabase : SqliteDatabase
    {
        builder.Services.AddOptions<DatabaseOptions>(section).BindConfiguration($"{section}:Database");
        builder.Services.AddSingleton<TDatabase>();
        builder.Services.AddHealthChecks().AddCheck<SqliteHealthCheck<TDatabase>>($"{section.ToLowerInvariant()}-database", tags: ["ready"]);
        return builder;
    }
}
