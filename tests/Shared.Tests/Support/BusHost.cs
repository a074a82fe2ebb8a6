using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Data;
using Platform.Messaging;
using Platform.Testing;

namespace Shared.Tests.Support;

/// <summary>
/// A real generic host composed like a service's Program.cs (database, outbox, messaging), without HTTP:
/// in-memory transport unless the settings say otherwise, fast retries and a short outbox poll.
/// </summary>
public sealed class BusHost : IAsyncDisposable
{
    private readonly IHost _host;

    private BusHost(IHost host, LogCollector logs, string databasePath)
    {
        _host = host;
        Logs = logs;
        DatabasePath = databasePath;
    }

    public IServiceProvider Services => _host.Services;
    public LogCollector Logs { get; }
    public string DatabasePath { get; }
    public TestDatabase Database => Services.GetRequiredService<TestDatabase>();
    public MessageLog Received => Services.GetRequiredService<MessageLog>();
    public IBus Bus => Services.GetRequiredService<IBus>();
    public OutboxWriter<TestDatabase> Outbox => Services.GetRequiredService<OutboxWriter<TestDatabase>>();

    public static async Task<BusHost> StartAsync(
        TempDirectory temp,
        Action<IBusRegistrationConfigurator> consumers,
        IDictionary<string, string?>? settings = null,
        bool outbox = true,
        Action<IServiceCollection>? configureServices = null,
        Action<IServiceCollection>? beforeBus = null)
    {
        var databasePath = temp.File("test.db");
        var configuration = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:RetryLimit"] = "3",
            ["Messaging:RetryInterval"] = "00:00:00.010",
            ["Messaging:Outbox:PollInterval"] = "00:00:00.100",
            ["Messaging:Outbox:MaxBackoff"] = "00:00:00.200",
            ["Messaging:Outbox:PublishTimeout"] = "00:00:05",
            [$"{TestDatabase.Section}:Database:Path"] = databasePath,
        };
        foreach (var (key, value) in settings ?? new Dictionary<string, string?>())
            configuration[key] = value;

        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings
        {
            DisableDefaults = true,
            EnvironmentName = "Testing",
            ApplicationName = "shared-tests",
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Configuration.AddInMemoryCollection(configuration);
        var logs = new LogCollector();
        builder.Logging.AddProvider(logs);
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(15));
        builder.Services.AddSingleton<MessageLog>();
        configureServices?.Invoke(builder.Services);
        builder.AddSqliteDatabase<TestDatabase>(TestDatabase.Section);
        if (outbox)
            builder.AddOutbox<TestDatabase>();
        beforeBus?.Invoke(builder.Services); // hosted services here start after the relay and before the bus
        builder.AddMessaging(consumers);

        var host = builder.Build();
        try
        {
            await host.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            host.Dispose();
            throw;
        }
        return new BusHost(host, logs, databasePath);
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await _host.StopAsync(stop.Token);
        _host.Dispose();
    }
}
