using System.Collections.Concurrent;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Platform.Contracts;
using Platform.Embedding;
using Platform.Embedding.Encoding;
using Platform.Messaging;
using Platform.ServiceDefaults;
using Platform.Testing;

namespace Embedding.Tests.Service;

/// <summary>
/// The embedding service composed as its Program.cs composes it, on a real RabbitMQ virtual host and a real SQLite
/// file, plus a recorder of the <c>listing-embedded</c> events it publishes. The encoder is the real model, wrapped
/// only to count the texts it is asked to encode.
/// </summary>
public static class EmbeddingHost
{
    public static Task<TestServiceHost> StartAsync(Uri amqp, string databasePath, Recorder recorder, CountingEncoder encoder,
        params (string Key, string Value)[] extra)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Url"] = amqp.ToString(),
            ["Messaging:Outbox:PollInterval"] = "00:00:00.200",
            ["Embedding:Database:Path"] = databasePath,
            ["Logging:LogLevel:Default"] = "Warning",
        };
        foreach (var (key, value) in extra)
            settings[key] = value;

        return TestServiceHost.StartAsync("embedding", settings,
            builder =>
            {
                builder.Services.AddSingleton(recorder);
                builder.AddServiceDefaults();
                builder.AddEmbedding();
                builder.Services.AddSingleton<ITextEncoder>(encoder); // the last registration wins
                builder.AddMessaging(bus =>
                {
                    bus.AddEmbeddingConsumers();
                    bus.AddConsumer<RecordingConsumer>().Endpoint(e => e.Name = "test-recorder-embedded");
                });
            },
            app => { app.MapDefaultEndpoints(); app.MapEmbedding(); });
    }

    public static ListingAccepted Listing(string title, string? @abstract) => new()
    {
        ListingId = Guid.NewGuid(),
        Source = "test",
        ExternalId = Guid.NewGuid().ToString("N"),
        Title = title,
        Abstract = @abstract,
        AcceptedAt = DateTimeOffset.UtcNow,
    };
}

/// <summary>The real encoder, counting the texts it encodes (to prove identical content is encoded once).</summary>
public sealed class CountingEncoder(ITextEncoder inner) : ITextEncoder
{
    private readonly ConcurrentQueue<string> _encoded = new();

    public IReadOnlyCollection<string> Encoded => _encoded;
    public string ModelId => inner.ModelId;
    public int Dimension => inner.Dimension;
    public int MaxTokens => inner.MaxTokens;

    public float[][] Encode(IReadOnlyList<string> texts)
    {
        foreach (var text in texts)
            _encoded.Enqueue(text);
        return inner.Encode(texts);
    }
}

/// <summary>What the test's own consumers received; waits until a condition holds.</summary>
public sealed class Recorder
{
    private readonly object _gate = new();
    private readonly List<(object Message, Guid? MessageId, string Note)> _items = [];

    public void Add(object message, Guid? messageId, string note = "")
    {
        lock (_gate)
            _items.Add((message, messageId, note));
    }

    public IReadOnlyList<(T Message, Guid? MessageId, string Note)> All<T>(Func<T, bool>? predicate = null)
    {
        lock (_gate)
            return [.. _items.Where(i => i.Message is T t && (predicate is null || predicate(t))).Select(i => ((T)i.Message, i.MessageId, i.Note))];
    }

    public async Task<IReadOnlyList<(T Message, Guid? MessageId, string Note)>> WaitForAsync<T>(Func<T, bool> predicate, int count, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(60));
        while (true)
        {
            var found = All(predicate);
            if (found.Count >= count)
                return found;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Only {found.Count} of {count} {typeof(T).Name} arrived in time.");
            await Task.Delay(50, TestContext.Current.CancellationToken);
        }
    }
}

public sealed class RecordingConsumer(Recorder recorder) : IConsumer<ListingEmbedded>, IConsumer<SubscriberInterestsEmbedded>
{
    public Task Consume(ConsumeContext<ListingEmbedded> context)
    {
        recorder.Add(context.Message, context.MessageId);
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<SubscriberInterestsEmbedded> context)
    {
        recorder.Add(context.Message, context.MessageId);
        return Task.CompletedTask;
    }
}
