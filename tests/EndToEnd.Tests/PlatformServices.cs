using Platform.Embedding;
using Platform.Ingestion;
using Platform.Messaging;
using Platform.Notification;
using Platform.Scoring;
using Platform.ServiceDefaults;
using Platform.Testing;

namespace EndToEnd.Tests;

/// <summary>
/// The four services as separate hosts, each with its own bus connection to one RabbitMQ virtual host and its own
/// SQLite file, composed exactly as their Program.cs files compose them.
/// </summary>
public sealed class PlatformServices : IAsyncDisposable
{
    private PlatformServices(TestServiceHost ingestion, TestServiceHost embedding, TestServiceHost scoring, TestServiceHost notification)
    {
        Ingestion = ingestion;
        Embedding = embedding;
        Scoring = scoring;
        Notification = notification;
    }

    public TestServiceHost Ingestion { get; }
    public TestServiceHost Embedding { get; }
    public TestServiceHost Scoring { get; }
    public TestServiceHost Notification { get; }

    public static async Task<PlatformServices> StartAsync(Uri amqp, string dataDirectory, params (string Key, string Value)[] common)
    {
        Dictionary<string, string?> Settings(string section, params (string Key, string Value)[] extra)
        {
            var settings = new Dictionary<string, string?>
            {
                ["Messaging:Transport"] = "RabbitMq",
                ["Messaging:RabbitMq:Url"] = amqp.ToString(),
                ["Messaging:Outbox:PollInterval"] = "00:00:00.200",
                [$"{section}:Database:Path"] = Path.Combine(dataDirectory, $"{section.ToLowerInvariant()}.db"),
            };
            foreach (var (key, value) in common.Concat(extra))
                settings[key] = value;
            return settings;
        }

        var ingestion = await TestServiceHost.StartAsync("ingestion", Settings("Ingestion"),
            b => { b.AddServiceDefaults(); b.AddIngestion(); b.AddMessaging(bus => bus.AddIngestionConsumers()); },
            a => { a.MapDefaultEndpoints(); a.MapIngestion(); });
        var embedding = await TestServiceHost.StartAsync("embedding", Settings("Embedding"),
            b => { b.AddServiceDefaults(); b.AddEmbedding(); b.AddMessaging(bus => bus.AddEmbeddingConsumers()); },
            a => { a.MapDefaultEndpoints(); a.MapEmbedding(); });
        var scoring = await TestServiceHost.StartAsync("scoring", Settings("Scoring"),
            b => { b.AddServiceDefaults(); b.AddScoring(); b.AddMessaging(bus => bus.AddScoringConsumers()); },
            a => { a.MapDefaultEndpoints(); a.MapScoring(); });
        var notification = await TestServiceHost.StartAsync("notification",
            Settings("Notification", ("Notification:AllowPrivateWebhookTargets", "true"),
                ("Notification:Delivery:EmailPickupDirectory", Path.Combine(dataDirectory, "mail"))),
            b => { b.AddServiceDefaults(); b.AddNotification(); b.AddMessaging(bus => bus.AddNotificationConsumers()); },
            a => { a.MapDefaultEndpoints(); a.MapNotification(); });
        return new PlatformServices(ingestion, embedding, scoring, notification);
    }

    public IEnumerable<TestServiceHost> All => [Ingestion, Embedding, Scoring, Notification];

    public async ValueTask DisposeAsync()
    {
        foreach (var host in All.Reverse())
            await host.DisposeAsync();
    }
}
