using System.Diagnostics;
using System.Text;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Platform.ComposeLocal;
using RabbitMQ.Client;

namespace Reliability.Tests;

/// <summary>A fault and the point of the stream (fraction of listings published) where it strikes.</summary>
public sealed record Fault(string Name, double At, Func<CancellationToken, Task<string>> Inject);

/// <summary>What a fault did, for the report.</summary>
public sealed record InjectedFault(string Name, TimeSpan At, TimeSpan Took, string Outcome);

/// <summary>A poison message the ledger must find dead-lettered, with its reason, and nowhere else.</summary>
public sealed record PoisonMessage(string Kind, string MessageId, string Exchange, string ExpectedQueue, string ExternalId);

/// <summary>
/// The faults of a run: SIGKILL and restart of each service, broker restart, broker SIGKILL, all connections closed,
/// poison messages, concurrent duplicates, SQLite write locks held past the busy timeout. Each strikes once, in order,
/// when the publisher reaches its point of the stream.
/// </summary>
public sealed class FaultInjector(LocalStack stack, RabbitMqBroker broker, Uri amqpUri, Stopwatch clock, Action<string> log)
{
    public const int BusyTimeoutMs = 5000;

    private readonly List<InjectedFault> injected = [];
    private readonly List<PoisonMessage> poison = [];

    public IReadOnlyList<InjectedFault> Injected => injected;

    public IReadOnlyList<PoisonMessage> Poison => poison;

    /// <summary>Listings published on the bus (<c>listing-submitted</c>), each several times with one message id, for the ledger.</summary>
    public List<PaperListing> BusSubmitted { get; } = [];

    public async Task RunAsync(IReadOnlyList<Fault> faults, Func<double> progress, CancellationToken ct)
    {
        foreach (var fault in faults.OrderBy(f => f.At))
        {
            while (progress() < fault.At)
                await Task.Delay(100, ct);
            var started = clock.Elapsed;
            log($"fault: {fault.Name} at {started.TotalSeconds:0.0} s ({progress():P0} published)");
            var outcome = await fault.Inject(ct);
            injected.Add(new InjectedFault(fault.Name, started, clock.Elapsed - started, outcome));
            log($"fault: {fault.Name} done in {(clock.Elapsed - started).TotalSeconds:0.0} s: {outcome}");
        }
    }

    public async Task<string> KillAndRestartAsync(string service, CancellationToken ct)
    {
        await stack.KillAsync(service);
        var down = Stopwatch.StartNew();
        await stack.StartAsync(service, TimeSpan.FromMinutes(3), ct);
        return $"killed, back and ready after {down.Elapsed.TotalSeconds:0.0} s";
    }

    public async Task<string> RestartBrokerAsync(CancellationToken ct)
    {
        await broker.RestartAsync(TimeSpan.FromSeconds(3), ct);
        return "stop_app, 3 s down, start_app";
    }

    public async Task<string> KillBrokerAsync(CancellationToken ct)
    {
        await broker.KillAndRestartAsync(TimeSpan.FromSeconds(2), ct);
        return "SIGKILL to the Erlang VM, 2 s down, booted again from its data";
    }

    public async Task<string> CloseConnectionsAsync(CancellationToken ct)
    {
        await broker.CloseAllConnectionsAsync(cancellationToken: ct);
        return "rabbitmqctl close_all_connections";
    }

    /// <summary>Holds a write lock (<c>BEGIN IMMEDIATE</c>) on a service's store for longer than its busy timeout.</summary>
    public static async Task<string> HoldWriteLockAsync(string databasePath, TimeSpan duration, CancellationToken ct)
    {
        await using var connection = new SqliteConnection($"Data Source={databasePath};Pooling=False");
        await connection.OpenAsync(ct);
        await using (var busy = connection.CreateCommand())
        {
            busy.CommandText = "PRAGMA busy_timeout = 60000;";
            await busy.ExecuteNonQueryAsync(ct);
        }

        await using var transaction = connection.BeginTransaction(deferred: false);
        await Task.Delay(duration, ct);
        await transaction.CommitAsync(ct);
        return $"held {duration.TotalSeconds:0} s (busy timeout {BusyTimeoutMs / 1000} s)";
    }

    /// <summary>Malformed JSON, an unknown message type version, and a listing the embedder cannot embed.</summary>
    public async Task<string> InjectPoisonAsync(CancellationToken ct)
    {
        await using var connection = await EventTap.ConnectAsync(amqpUri, "reliability-poison", ct);
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct);

        var malformed = new PoisonMessage("malformed JSON", Guid.NewGuid().ToString(), "listing-submitted", "submit-listing_error", "poison-malformed");
        await PublishAsync(channel, malformed, "application/json", "urn:message:Platform.Contracts:ListingSubmitted",
            """{"source": "reliability", "externalId": "poison-malformed", "title": "unterminated""", ct);

        var version = new PoisonMessage("unknown schema version", Guid.NewGuid().ToString(), "listing-submitted", "submit-listing_skipped", "poison-version");
        await PublishAsync(channel, version, "application/json", "urn:message:Platform.Contracts.V99:ListingSubmitted",
            JsonSerializer.Serialize(new { source = "reliability", externalId = "poison-version", title = "A listing in a schema nobody speaks yet", schemaVersion = 99 }), ct);

        var unembeddable = new PoisonMessage("listing the embedder cannot embed", Guid.NewGuid().ToString(), "listing-accepted", "embed-listing_error", "poison-untitled");
        await PublishAsync(channel, unembeddable, "application/json", "urn:message:Platform.Contracts:ListingAccepted",
            JsonSerializer.Serialize(new
            {
                listingId = Guid.NewGuid(), source = "reliability", externalId = "poison-untitled", title = (string?)null,
                acceptedAt = DateTimeOffset.UtcNow,
            }), ct);

        poison.AddRange([malformed, version, unembeddable]);
        return string.Join("; ", poison.Select(p => $"{p.Kind} -> {p.Exchange}"));
    }

    /// <summary>
    /// Concurrent copies of one message id: listings submitted on the bus (each 3 times at once, plus a 4th copy with a new
    /// message id, which ingestion must recognise by source and externalId), and events taken off the live stream of
    /// each hop and published again 3 times at once with their original message id and headers.
    /// </summary>
    public async Task<string> InjectDuplicatesAsync(IReadOnlyList<PaperListing> busListings, int perExchange, CancellationToken ct)
    {
        await using var connection = await EventTap.ConnectAsync(amqpUri, "reliability-duplicates", ct);
        var channels = new List<IChannel>();
        for (var i = 0; i < 4; i++)
            channels.Add(await connection.CreateChannelAsync(new CreateChannelOptions(true, true), ct));
        try
        {
            foreach (var listing in busListings)
            {
                var body = Encoding.UTF8.GetBytes(JsonSerializer.Serialize(new
                {
                    source = listing.Source, externalId = listing.ExternalId, title = listing.Title, @abstract = listing.Abstract,
                    authors = listing.Authors, url = listing.Url, tags = listing.Tags, publishedOn = listing.PublishedOn,
                }));
                var messageId = Guid.NewGuid().ToString();
                await Task.WhenAll(channels.Select((channel, i) => channel.BasicPublishAsync("listing-submitted", "", true,
                    Properties(i < 3 ? messageId : Guid.NewGuid().ToString(), "application/json", "urn:message:Platform.Contracts:ListingSubmitted"),
                    body, ct).AsTask()));
                BusSubmitted.Add(listing);
            }

            var copied = new List<string>();
            foreach (var exchange in new[] { "listing-accepted", "listing-embedded", "listing-scored" })
            {
                var taken = await TakeLiveAsync(channels[0], exchange, perExchange, ct);
                foreach (var message in taken)
                {
                    var properties = new BasicProperties(message.BasicProperties);
                    await Task.WhenAll(channels.Take(3).Select(channel =>
                        channel.BasicPublishAsync(exchange, "", true, properties, message.Body, ct).AsTask()));
                }

                copied.Add($"{taken.Count} {exchange} x3");
            }

            return $"{busListings.Count} listing-submitted x3 (+1 with a new message id); {string.Join(", ", copied)}";
        }
        finally
        {
            foreach (var channel in channels)
                await channel.DisposeAsync();
        }
    }

    /// <summary>The next <paramref name="count"/> events published on an exchange (a private queue bound for the purpose).</summary>
    private static async Task<List<BasicGetResult>> TakeLiveAsync(IChannel channel, string exchange, int count, CancellationToken ct)
    {
        var queue = (await channel.QueueDeclareAsync("", durable: false, exclusive: true, autoDelete: true, cancellationToken: ct)).QueueName;
        await channel.QueueBindAsync(queue, exchange, "", cancellationToken: ct);
        var taken = new List<BasicGetResult>();
        var deadline = Stopwatch.StartNew();
        while (taken.Count < count && deadline.Elapsed < TimeSpan.FromSeconds(60))
        {
            if (await channel.BasicGetAsync(queue, autoAck: true, ct) is { } result)
                taken.Add(result);
            else
                await Task.Delay(100, ct);
        }

        await channel.QueueDeleteAsync(queue, cancellationToken: ct);
        return taken;
    }

    private static async Task PublishAsync(IChannel channel, PoisonMessage poison, string contentType, string messageType, string body, CancellationToken ct) =>
        await channel.BasicPublishAsync(poison.Exchange, "", true, Properties(poison.MessageId, contentType, messageType), Encoding.UTF8.GetBytes(body), ct);

    private static BasicProperties Properties(string messageId, string contentType, string messageType) => new()
    {
        MessageId = messageId,
        ContentType = contentType,
        DeliveryMode = DeliveryModes.Persistent,
        Headers = new Dictionary<string, object?> { ["MT-MessageType"] = messageType, ["MessageId"] = messageId },
    };
}
