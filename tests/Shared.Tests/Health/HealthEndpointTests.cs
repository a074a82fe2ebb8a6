using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Platform.Data;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Health;

/// <summary>
/// A host composed like a service's Program.cs (service defaults, in-memory messaging, a database registered with
/// <see cref="DatabaseRegistration.AddSqliteDatabase{TDatabase}"/>) answering its health endpoints over HTTP.
/// </summary>
public sealed class HealthEndpointTests : IDisposable
{
    // An assembly's name: the web host loads hosting-startup code from the application's assembly.
    private static readonly string HostName = typeof(HealthEndpointTests).Assembly.GetName().Name!;
    private readonly TempDirectory _temp = new("health");

    public void Dispose() => _temp.Dispose();

    private static Task<TestServiceHost> StartAsync(string databasePath) =>
        TestServiceHost.StartAsync(HostName,
            new Dictionary<string, string?>
            {
                ["Messaging:Transport"] = "InMemory",
                [$"{TestDatabase.Section}:Database:Path"] = databasePath,
            },
            builder =>
            {
                builder.AddServiceDefaults();
                builder.AddSqliteDatabase<TestDatabase>(TestDatabase.Section);
                builder.AddMessaging(_ => { });
            },
            app => app.MapDefaultEndpoints());

    private static async Task<(HttpStatusCode Status, JsonElement Body)> GetReadyAsync(TestServiceHost host)
    {
        using var response = await host.Client.GetAsync("/health/ready", TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    [Fact]
    public async Task Live_and_ready_answer_200_when_the_database_and_the_bus_are_usable()
    {
        var path = _temp.File(Path.Combine("data", "test.db"));
        await using var host = await StartAsync(path);

        using var live = await host.Client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
        Assert.Equal("Healthy", await live.Content.ReadAsStringAsync(TestContext.Current.CancellationToken));

        var (status, body) = await GetReadyAsync(host);
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal("Healthy", body.GetProperty("status").GetString());
        var database = body.GetProperty("checks").GetProperty("test-database");
        Assert.Equal("Healthy", database.GetProperty("status").GetString());
        Assert.Equal(path, database.GetProperty("description").GetString());
        // The bus registers its own readiness check.
        Assert.Contains(body.GetProperty("checks").EnumerateObject(), c => c.Name.Contains("masstransit", StringComparison.OrdinalIgnoreCase));
        // The readiness probe migrated the database.
        Assert.True(File.Exists(path));
    }

    [Fact]
    public async Task Ready_answers_503_naming_the_database_when_its_path_is_unusable_while_live_stays_200()
    {
        // A folder cannot be created under a regular file, so the database can never open.
        var blocker = _temp.File("not-a-folder");
        await File.WriteAllTextAsync(blocker, "a file", TestContext.Current.CancellationToken);
        var path = Path.Combine(blocker, "test.db");
        await using var host = await StartAsync(path);

        var (status, body) = await GetReadyAsync(host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("status").GetString());
        var database = body.GetProperty("checks").GetProperty("test-database");
        Assert.Equal("Unhealthy", database.GetProperty("status").GetString());
        Assert.Contains(path, database.GetProperty("description").GetString());
        Assert.False(string.IsNullOrEmpty(database.GetProperty("error").GetString()));

        using var live = await host.Client.GetAsync("/health/live", TestContext.Current.CancellationToken);
        Assert.Equal(HttpStatusCode.OK, live.StatusCode);
    }

    [Fact]
    public async Task Ready_answers_503_when_the_database_file_is_not_a_database()
    {
        var path = _temp.File("garbage.db");
        await File.WriteAllTextAsync(path, new string('x', 4096), TestContext.Current.CancellationToken);
        await using var host = await StartAsync(path);

        var (status, body) = await GetReadyAsync(host);

        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("test-database").GetProperty("status").GetString());
    }
}
