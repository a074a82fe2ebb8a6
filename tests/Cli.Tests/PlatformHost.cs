using Microsoft.Data.Sqlite;
using Platform.Embedding;
using Platform.Ingestion;
using Platform.Messaging;
using Platform.Notification;
using Platform.Scoring;
using Platform.ServiceDefaults;

namespace Cli.Tests;

/// <summary>
/// The four services in one host on an in-memory bus, each with its own SQLite file: composed exactly like
/// services/AllInOne (without its demo), on a free port. One per test class (a class fixture): tests in the class
/// share it and keep apart by their own source names.
/// </summary>
public sealed class PlatformHost : IAsyncLifetime
{
    private readonly TempDirectory _temp = new("cli-platform");
    private TestServiceHost? _host;

    public TestServiceHost Host => _host ?? throw new InvalidOperationException("Not started.");
    public Uri BaseAddress => Host.BaseAddress;
    public string DataDirectory => _temp.Path;

    public async ValueTask InitializeAsync()
    {
        _host = await StartAsync(_temp.Path);
    }

    public static Task<TestServiceHost> StartAsync(string dataDirectory, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "InMemory",
            ["Messaging:Outbox:PollInterval"] = "00:00:00.100",
            ["Ingestion:Database:Path"] = Path.Combine(dataDirectory, "ingestion.db"),
            ["Embedding:Database:Path"] = Path.Combine(dataDirectory, "embedding.db"),
            ["Scoring:Database:Path"] = Path.Combine(dataDirectory, "scoring.db"),
            ["Notification:Database:Path"] = Path.Combine(dataDirectory, "notification.db"),
            ["Notification:Delivery:EmailPickupDirectory"] = Path.Combine(dataDirectory, "mail"),
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
            settings[key] = value;
        return TestServiceHost.StartAsync("platform", settings,
            builder =>
            {
                builder.AddServiceDefaults();
                builder.AddIngestion();
                builder.AddEmbedding();
                builder.AddScoring();
                builder.AddNotification();
                builder.AddMessaging(bus =>
                {
                    bus.AddIngestionConsumers();
                    bus.AddEmbeddingConsumers();
                    bus.AddScoringConsumers();
                    bus.AddNotificationConsumers();
                });
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapIngestion();
                app.MapEmbedding();
                app.MapScoring();
                app.MapNotification();
            });
    }

    public async ValueTask DisposeAsync()
    {
        if (_host is not null)
            await _host.DisposeAsync();
        SqliteConnection.ClearAllPools();
        _temp.Dispose();
    }
}
