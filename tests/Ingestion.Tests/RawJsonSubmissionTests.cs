using System.Text;
using System.Text.Json;
using MassTransit;
using Platform.Contracts;
using Platform.Testing;
using RabbitMQ.Client;

namespace Ingestion.Tests;

/// <summary>
/// Publishers in any language send a listing as plain JSON to the <c>listing-submitted</c> exchange; ingestion takes it
/// exactly like a MassTransit-enveloped one. What cannot be accepted lands in <c>submit-listing_error</c> with the reason
/// and is announced as <c>listing-rejected</c>.
/// </summary>
public sealed class RawJsonSubmissionTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private async Task<(TestServiceHost Host, MessageRecorder Recorder, IConnection Amqp, TempDirectory Temp)> StartAsync()
    {
        var vhost = await rabbit.RequireAsync();
        var temp = new TempDirectory("ingestion-raw");
        var settings = IngestionHost.Settings(temp.File("ingestion.db"));
        settings["Messaging:Transport"] = "RabbitMq";
        settings["Messaging:RabbitMq:Url"] = vhost.AmqpUri.ToString();
        settings["Messaging:Outbox:PollInterval"] = "00:00:00.200";
        var recorder = new MessageRecorder();
        var host = await IngestionHost.StartAsync(settings, recorder);
        var amqp = await new ConnectionFactory { Uri = vhost.AmqpUri, ClientProvidedName = "raw-json-publisher" }
            .CreateConnectionAsync(TestContext.Current.CancellationToken);
        return (host, recorder, amqp, temp);
    }

    private static async Task PublishAsync(IConnection connection, string body, string? contentType, Guid? messageId = null)
    {
        var ct = TestContext.Current.CancellationToken;
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct);
        // What a non-.NET publisher does: declare the documented exchange (idempotent) and publish plain JSON to it.
        await channel.ExchangeDeclareAsync("listing-submitted", ExchangeType.Fanout, durable: true, autoDelete: false, cancellationToken: ct);
        var properties = new BasicProperties { Persistent = true, ContentType = contentType, MessageId = (messageId ?? Guid.NewGuid()).ToString() };
        await channel.BasicPublishAsync("listing-submitted", "", mandatory: false, properties, Encoding.UTF8.GetBytes(body), ct);
    }

    /// <summary>Reads the error queue until a message with this id turns up (others are put back).</summary>
    private static async Task<(string Body, IDictionary<string, object?> Headers)> TakeErrorAsync(IConnection connection, Guid messageId)
    {
        var ct = TestContext.Current.CancellationToken;
        var deadline = DateTime.UtcNow + Wait;
        var seen = new HashSet<string>();
        while (DateTime.UtcNow < deadline)
        {
            // A fresh channel each round: a passive declare of a queue that does not exist yet closes the channel.
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            try
            {
                await channel.QueueDeclarePassiveAsync("submit-listing_error", ct);
                // Unacked gets: the others go back to the queue when the channel closes (a nack with requeue would put
                // each one back at the head, and the scan would never get past it).
                while (await channel.BasicGetAsync("submit-listing_error", autoAck: false, ct) is { } result)
                {
                    if (result.BasicProperties.MessageId == messageId.ToString())
                    {
                        await channel.BasicAckAsync(result.DeliveryTag, false, ct);
                        return (Encoding.UTF8.GetString(result.Body.Span), result.BasicProperties.Headers ?? new Dictionary<string, object?>());
                    }
                    seen.Add(result.BasicProperties.MessageId ?? "(no id)");
                }
            }
            catch (RabbitMQ.Client.Exceptions.OperationInterruptedException)
            {
                // Not declared yet.
            }
            await Task.Delay(200, ct);
        }
        Assert.Fail($"No message {messageId} arrived in submit-listing_error within {Wait}; it held: {string.Join(", ", seen)}");
        throw new InvalidOperationException();
    }

    private static string Header(IDictionary<string, object?> headers, string name) =>
        headers.TryGetValue(name, out var value) ? value switch { byte[] bytes => Encoding.UTF8.GetString(bytes), _ => value?.ToString() ?? "" } : "";

    [Fact]
    public async Task Plain_json_listing_is_accepted_like_an_enveloped_one()
    {
        var ct = TestContext.Current.CancellationToken;
        var (host, recorder, amqp, temp) = await StartAsync();
        await using var _ = host;
        using var __ = temp;
        await using var ___ = amqp;
        var externalId = $"raw-{Guid.NewGuid():N}";
        var withoutContentType = $"raw-{Guid.NewGuid():N}";
        var enveloped = $"env-{Guid.NewGuid():N}";

        await PublishAsync(amqp, JsonSerializer.Serialize(new
        {
            source = "node", externalId, title = "  Plain JSON\0 listing ", @abstract = "No envelope.", authors = new[] { "A. Author" },
            url = "https://example.org/raw", tags = new[] { "interop" }, publishedOn = "2026-03-01",
        }), "application/json");
        await PublishAsync(amqp, JsonSerializer.Serialize(new { source = "node", externalId = withoutContentType, title = "No content type" }), contentType: null);
        // An older .NET publisher: MassTransit's envelope, the listing in "message".
        await PublishAsync(amqp, JsonSerializer.Serialize(new
        {
            messageId = Guid.NewGuid(), messageType = new[] { "urn:message:Platform.Contracts:ListingSubmitted" },
            message = new { source = "dotnet", externalId = enveloped, title = "Enveloped" },
        }), "application/vnd.masstransit+json");

        var (accepted, _) = await recorder.WaitForAsync<ListingAccepted>(e => e.ExternalId == externalId, Wait, ct);
        Assert.Equal("Plain JSON listing", accepted.Title);
        Assert.Equal(["A. Author"], accepted.Authors);
        Assert.Equal(new DateOnly(2026, 3, 1), accepted.PublishedOn);
        var stored = await (await host.Client.GetAsync($"/listings/{accepted.ListingId}", ct)).ReadJsonAsync(ct);
        Assert.Equal("https://example.org/raw", stored.GetProperty("url").GetString());
        await recorder.WaitForAsync<ListingAccepted>(e => e.ExternalId == withoutContentType, Wait, ct);
        await recorder.WaitForAsync<ListingAccepted>(e => e.ExternalId == enveloped, Wait, ct);
        Assert.True(recorder.All<ListingRejected>().Count == 0,
            "rejected: " + string.Join(" | ", recorder.All<ListingRejected>().Select(r => string.Join("; ", r.Message.Reasons))));
    }

    [Fact]
    public async Task Invalid_json_goes_to_the_error_queue_and_is_rejected()
    {
        var ct = TestContext.Current.CancellationToken;
        var (host, recorder, amqp, temp) = await StartAsync();
        await using var _ = host;
        using var __ = temp;
        await using var ___ = amqp;
        var id = Guid.NewGuid();

        await PublishAsync(amqp, "{\"source\": \"node\", \"externalId\": ", "application/json", id);

        var (error, headers) = await TakeErrorAsync(amqp, id);
        Assert.Equal("{\"source\": \"node\", \"externalId\": ", error);
        Assert.NotEqual("", Header(headers, "MT-Fault-Message"));
        var (rejected, _) = await recorder.WaitForAsync<ListingRejected>(r => r.SubmissionMessageId == id, Wait, ct);
        Assert.StartsWith("Body is not valid JSON", Assert.Single(rejected.Reasons));
        Assert.Null(rejected.ExternalId);
    }

    [Fact]
    public async Task Listing_that_fails_validation_goes_to_the_error_queue_with_its_reasons_and_is_rejected()
    {
        var ct = TestContext.Current.CancellationToken;
        var (host, recorder, amqp, temp) = await StartAsync();
        await using var _ = host;
        using var __ = temp;
        await using var ___ = amqp;
        var invalid = Guid.NewGuid();
        var incomplete = Guid.NewGuid();
        var externalId = $"bad-{Guid.NewGuid():N}";

        await PublishAsync(amqp, JsonSerializer.Serialize(new { source = "node", externalId, title = " ", url = "ftp://example.org/x" }), "application/json", invalid);
        await PublishAsync(amqp, JsonSerializer.Serialize(new { source = "node", externalId = "no-title", url = "https://example.org/t" }), "application/json", incomplete);

        var (_, headers) = await TakeErrorAsync(amqp, invalid);
        Assert.Contains("title: Is required.", Header(headers, "MT-Fault-Message"));
        Assert.Contains("url: Must be an absolute http or https URL.", Header(headers, "MT-Fault-Message"));
        var (rejected, _) = await recorder.WaitForAsync<ListingRejected>(r => r.SubmissionMessageId == invalid, Wait, ct);
        Assert.Equal(externalId, rejected.ExternalId);
        Assert.Equal("ftp://example.org/x", rejected.Url);
        Assert.Contains("title: Is required.", rejected.Reasons);

        // A required field missing altogether fails before validation (the contract marks it required): same outcome.
        var (_, incompleteHeaders) = await TakeErrorAsync(amqp, incomplete);
        Assert.NotEqual("", Header(incompleteHeaders, "MT-Fault-Message"));
        var (missing, _) = await recorder.WaitForAsync<ListingRejected>(r => r.SubmissionMessageId == incomplete, Wait, ct);
        Assert.Equal("no-title", missing.ExternalId);
        Assert.Contains("title", Assert.Single(missing.Reasons));
        Assert.Empty(recorder.All<ListingAccepted>());
    }
}
