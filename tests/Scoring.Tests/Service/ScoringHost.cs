using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring;
using Platform.ServiceDefaults;
using Platform.Testing;

namespace Scoring.Tests.Service;

/// <summary>The scoring service composed as its Program.cs composes it, on a real RabbitMQ virtual host and a real SQLite file.</summary>
public static class ScoringHost
{
    public const string ModelId = "sentence-transformers/all-MiniLM-L6-v2@onnx-fp32-v1";

    public static Task<TestServiceHost> StartAsync(Uri amqp, string databasePath, ScoredRecorder recorder, params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Url"] = amqp.ToString(),
            ["Messaging:Outbox:PollInterval"] = "00:00:00.100",
            ["Scoring:Database:Path"] = databasePath,
            ["Scoring:TrainingBatchWindow"] = "00:00:00.050",
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
            settings[key] = value;
        return TestServiceHost.StartAsync("scoring", settings,
            builder =>
            {
                builder.Services.AddSingleton(recorder);
                builder.AddServiceDefaults();
                builder.AddScoring();
                builder.AddMessaging(bus =>
                {
                    bus.AddScoringConsumers();
                    bus.AddConsumer<ScoredRecordingConsumer>().Endpoint(e => e.Name = "test-recorder-listing-scored");
                });
            },
            app =>
            {
                app.MapDefaultEndpoints();
                app.MapScoring();
            });
    }

    public static ListingEmbedded Listing(float[] vector, string modelId = ModelId) => new()
    {
        ListingId = Guid.NewGuid(),
        Title = "listing",
        ModelId = modelId,
        Dimension = vector.Length,
        Vector = vector,
        ContentHash = Guid.NewGuid().ToString("N"),
        EmbeddedAt = DateTimeOffset.UtcNow,
    };

    public static SubscriberInterestsEmbedded Interests(Guid subscriberId, float[] vector) => new()
    {
        SubscriberId = subscriberId,
        ModelId = ModelId,
        Dimension = vector.Length,
        Vector = vector,
        ContentHash = Guid.NewGuid().ToString("N"),
        EmbeddedAt = DateTimeOffset.UtcNow,
    };
}

public sealed class ScoredRecorder
{
    private readonly ConcurrentDictionary<Guid, ListingScored> _scored = new();
    private readonly ConcurrentDictionary<Guid, int> _published = new();

    public void Add(ListingScored scored)
    {
        _scored[scored.ListingId] = scored;
        _published.AddOrUpdate(scored.ListingId, 1, (_, n) => n + 1);
    }

    /// <summary>How many <c>listing-scored</c> messages arrived for the listing.</summary>
    public int PublishedCount(Guid listingId) => _published.GetValueOrDefault(listingId);

    public async Task<ListingScored> WaitForAsync(Guid listingId, CancellationToken ct)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(30));
        while (!_scored.ContainsKey(listingId))
            await Task.Delay(20, timeout.Token);
        return _scored[listingId];
    }
}

public sealed class ScoredRecordingConsumer(ScoredRecorder recorder) : IConsumer<ListingScored>
{
    public Task Consume(ConsumeContext<ListingScored> context)
    {
        recorder.Add(context.Message);
        return Task.CompletedTask;
    }
}
