using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Platform.Embedding;
using Platform.Ingestion;
using Platform.Messaging;
using Platform.Scoring;
using Platform.ServiceDefaults;
using RabbitMQ.Client;

namespace Interop.Tests;

/// <summary>
/// A Node.js client (node/interop.mjs, amqplib) talks to the real ingestion, embedding and scoring services on RabbitMQ
/// in plain JSON only: its valid listings are stored and scored, and it reads listing-scored from its own queue; its
/// broken JSON and its invalid listing land in <c>submit-listing_error</c> with the reason and come back as listing-rejected.
/// </summary>
public sealed class NodeClientTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    [Fact]
    public async Task Node_client_publishes_and_consumes_plain_json()
    {
        var ct = TestContext.Current.CancellationToken;
        // node/interop.mjs with amqplib; needs node 20+ and `npm ci` in tests/Interop.Tests/node (test.sh does it).
        var client = NodeScript.Require("Interop.Tests", "node", "interop.mjs", "amqplib", "The Node.js interop test");
        var vhost = await rabbit.RequireAsync();
        using var temp = new TempDirectory("interop");
        await using var ingestion = await StartAsync("ingestion", "Ingestion", vhost.AmqpUri, temp,
            b => { b.AddServiceDefaults(); b.AddIngestion(); b.AddMessaging(bus => bus.AddIngestionConsumers()); },
            a => { a.MapDefaultEndpoints(); a.MapIngestion(); });
        await using var embedding = await StartAsync("embedding", "Embedding", vhost.AmqpUri, temp,
            b => { b.AddServiceDefaults(); b.AddEmbedding(); b.AddMessaging(bus => bus.AddEmbeddingConsumers()); },
            a => a.MapDefaultEndpoints());
        await using var scoring = await StartAsync("scoring", "Scoring", vhost.AmqpUri, temp,
            b => { b.AddServiceDefaults(); b.AddScoring(); b.AddMessaging(bus => bus.AddScoringConsumers()); },
            a => { a.MapDefaultEndpoints(); a.MapScoring(); });
        var run = Guid.NewGuid().ToString("N")[..12];

        var output = await client.RunAsync(TimeSpan.FromMinutes(4), ct, null, vhost.AmqpUri.ToString(), run, "180");

        var result = JsonDocument.Parse(output).RootElement;
        var published = result.GetProperty("published");

        // Both valid listings were scored, and the Node client read listing-scored as plain JSON.
        var scored = result.GetProperty("scored").EnumerateArray().ToList();
        Assert.Equal(2, scored.Count);
        var storedExternalIds = new List<string>();
        foreach (var message in scored)
        {
            Assert.Equal(WireFormat.JsonContentType, message.GetProperty("contentType").GetString());
            Assert.True(Guid.TryParse(message.GetProperty("messageId").GetString(), out _), "listing-scored carries a UUID message_id");
            var body = message.GetProperty("body");
            Assert.False(body.TryGetProperty("message", out _), "plain JSON, not MassTransit's envelope");
            Assert.False(string.IsNullOrEmpty(body.GetProperty("modelVersion").GetString()));
            Assert.True(body.GetProperty("globalRewards").TryGetProperty("quality", out _));

            // ... and ingestion stored them as it stores posted listings.
            var listingId = body.GetProperty("listingId").GetGuid();
            var stored = await ingestion.Client.GetAsync($"/listings/{listingId}", ct);
            Assert.True(stored.IsSuccessStatusCode, $"GET /listings/{listingId}: {stored.StatusCode}");
            var listing = JsonDocument.Parse(await stored.Content.ReadAsStringAsync(ct)).RootElement;
            Assert.Equal("node", listing.GetProperty("source").GetString());
            storedExternalIds.Add(listing.GetProperty("externalId").GetString()!);
            Assert.Equal(body.GetProperty("title").GetString(), listing.GetProperty("title").GetString());
        }
        Assert.Equal(published.GetProperty("valid").EnumerateArray().Select(v => v.GetProperty("externalId").GetString()).Order(),
            storedExternalIds.Order());

        // The broken ones: in the error queue with the reason, and announced as listing-rejected.
        var invalidJson = Guid.Parse(published.GetProperty("invalidJson").GetString()!);
        var invalidListing = Guid.Parse(published.GetProperty("invalidListing").GetString()!);
        var errors = await ReadErrorQueueAsync(vhost.AmqpUri, [invalidJson, invalidListing], ct);
        Assert.Contains("JSON", errors[invalidJson]);
        Assert.Contains("title: Is required.", errors[invalidListing]);
        Assert.Contains("url: Must be an absolute http or https URL.", errors[invalidListing]);

        var rejected = result.GetProperty("rejected").EnumerateArray()
            .ToDictionary(r => Guid.Parse(r.GetProperty("body").GetProperty("submissionMessageId").GetString()!), r => r.GetProperty("body"));
        Assert.StartsWith("Body is not valid JSON", rejected[invalidJson].GetProperty("reasons")[0].GetString());
        Assert.Equal($"node-{run}-invalid", rejected[invalidListing].GetProperty("externalId").GetString());
        Assert.Contains("title: Is required.", rejected[invalidListing].GetProperty("reasons").EnumerateArray().Select(r => r.GetString()));
    }

    private static Task<TestServiceHost> StartAsync(string name, string section, Uri amqp, TempDirectory temp,
        Action<WebApplicationBuilder> compose, Action<WebApplication> map) =>
        TestServiceHost.StartAsync(name, new Dictionary<string, string?>
        {
            ["Messaging:Transport"] = "RabbitMq",
            ["Messaging:RabbitMq:Url"] = amqp.ToString(),
            ["Messaging:Outbox:PollInterval"] = "00:00:00.200",
            ["Logging:LogLevel:Default"] = "Warning",
            [$"{section}:Database:Path"] = temp.File($"{name}.db"),
        }, compose, map);

    /// <summary>The <c>MT-Fault-Message</c> of each wanted message in <c>submit-listing_error</c> (read without taking them).</summary>
    private static async Task<Dictionary<Guid, string>> ReadErrorQueueAsync(Uri amqp, Guid[] wanted, CancellationToken ct)
    {
        await using var connection = await new ConnectionFactory { Uri = amqp }.CreateConnectionAsync(ct);
        var found = new Dictionary<Guid, string>();
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (found.Count < wanted.Length && DateTime.UtcNow < deadline)
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            // Unacked gets: all go back to the queue when the channel closes.
            while (await channel.BasicGetAsync("submit-listing_error", autoAck: false, ct) is { } message)
            {
                if (Guid.TryParse(message.BasicProperties.MessageId, out var id) && wanted.Contains(id)
                    && message.BasicProperties.Headers?.TryGetValue("MT-Fault-Message", out var reason) == true)
                    found[id] = reason is byte[] bytes ? Encoding.UTF8.GetString(bytes) : reason?.ToString() ?? "";
            }
            if (found.Count < wanted.Length)
                await Task.Delay(250, ct);
        }
        Assert.True(found.Count == wanted.Length, $"submit-listing_error holds {found.Count} of the {wanted.Length} bad submissions");
        return found;
    }
}
