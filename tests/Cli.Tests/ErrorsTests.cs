using System.Text;
using Platform.Cli.Commands;
using RabbitMQ.Client;

namespace Cli.Tests;

/// <summary>
/// <c>platform errors</c> against a real RabbitMQ virtual host: an endpoint queue <c>x</c> and its error queue
/// <c>x_error</c> holding messages the way MassTransit parks them (fault headers included).
/// </summary>
public sealed class ErrorsTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    private sealed record Parked(string MessageId, string Body);

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    /// <summary>Declares <c>{name}</c> and <c>{name}_error</c> and parks <paramref name="count"/> faulted messages in the error queue.</summary>
    private static async Task<IReadOnlyList<Parked>> ParkAsync(IConnection connection, string name, int count)
    {
        await using var channel = await connection.CreateChannelAsync(new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), Ct);
        await channel.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
        await channel.QueueDeclareAsync(name + "_error", durable: true, exclusive: false, autoDelete: false, cancellationToken: Ct);
        var parked = new List<Parked>();
        for (var i = 1; i <= count; i++)
        {
            var id = Guid.NewGuid().ToString();
            var body = $$"""{"listingId":"{{Guid.NewGuid()}}","title":"Listing {{i}}","n":{{i}}}""";
            var properties = new BasicProperties
            {
                Persistent = true,
                ContentType = "application/json",
                MessageId = id,
                CorrelationId = $"correlation-{i}",
                Headers = new Dictionary<string, object?>
                {
                    ["MT-MessageType"] = Encoding.UTF8.GetBytes("urn:message:Platform.Contracts:ListingEmbedded"),
                    ["MT-Host-MachineName"] = Encoding.UTF8.GetBytes("scoring-1"),
                    ["traceparent"] = Encoding.UTF8.GetBytes($"00-{Guid.NewGuid():N}-{Guid.NewGuid():N}"[..55] + "-01"),
                    ["MT-Reason"] = Encoding.UTF8.GetBytes("fault"),
                    ["MT-Fault-ExceptionType"] = Encoding.UTF8.GetBytes("MassTransit.InvalidMessageException"),
                    ["MT-Fault-Message"] = Encoding.UTF8.GetBytes($"Vectors from model other-model are refused ({i})"),
                    ["MT-Fault-Timestamp"] = Encoding.UTF8.GetBytes("2025-06-01T12:00:00.0000000Z"),
                    ["MT-Fault-ConsumerType"] = Encoding.UTF8.GetBytes("Platform.Scoring.Results.ScoreListingConsumer"),
                    ["MT-Fault-StackTrace"] = Encoding.UTF8.GetBytes("   at Somewhere()"),
                },
            };
            await channel.BasicPublishAsync("", name + "_error", mandatory: true, properties, Encoding.UTF8.GetBytes(body), Ct);
            parked.Add(new Parked(id, body));
        }
        return parked;
    }

    /// <summary>Takes every message of a queue (acknowledged): what is in it, in order.</summary>
    private static async Task<List<BasicGetResult>> DrainAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        var messages = new List<BasicGetResult>();
        while (await channel.BasicGetAsync(queue, autoAck: true, Ct) is { } result)
            messages.Add(result);
        return messages;
    }

    private static async Task<uint> CountAsync(IConnection connection, string queue)
    {
        await using var channel = await connection.CreateChannelAsync(cancellationToken: Ct);
        return (await channel.QueueDeclarePassiveAsync(queue, Ct)).MessageCount;
    }

    private async Task<(RabbitMqVirtualHost Vhost, IConnection Connection)> ConnectAsync()
    {
        var vhost = await rabbit.RequireAsync();
        var connection = await new ConnectionFactory { Uri = vhost.AmqpUri, ClientProvidedName = "cli-tests" }.CreateConnectionAsync(Ct);
        return (vhost, connection);
    }

    private static Task<CliRun> Errors(RabbitMqVirtualHost vhost, params string[] args) =>
        Cli.RunAsync(null, ["errors", .. args], new Dictionary<string, string> { ["PLATFORM_AMQP_URL"] = vhost.AmqpUri.ToString() });

    private static string Unique(string prefix) => $"{prefix}-{Guid.NewGuid():N}"[..24];

    [Fact]
    public async Task List_counts_the_error_queues_that_exist()
    {
        var (vhost, connection) = await ConnectAsync();
        await using var _ = connection;
        var name = Unique("list");
        await ParkAsync(connection, name, 3);

        var run = await Errors(vhost, "list", "--queue", name + "_error");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches($@"{name}_error\s*│\s*3\s*│\s*0\s*│\s*{name}", run.Output);
        Assert.Contains("Not present", run.Output);
        Assert.Contains("score-listing_error", run.Output);
    }

    [Fact]
    public async Task Show_gives_the_broker_s_reason_for_a_message_dead_lettered_at_the_delivery_limit()
    {
        var (vhost, connection) = await ConnectAsync();
        await using var _ = connection;
        var name = Unique("limit");
        // As the services declare a consumer queue: quorum, a delivery limit (1 here), dead-lettering into its _error queue.
        var arguments = new Dictionary<string, object?> { ["x-queue-type"] = "quorum", ["x-delivery-limit"] = 1, ["x-dead-letter-exchange"] = name + "_error" };
        await using (var setup = await connection.CreateChannelAsync(new CreateChannelOptions(true, true), Ct))
        {
            await setup.ExchangeDeclareAsync(name + "_error", ExchangeType.Fanout, durable: true, cancellationToken: Ct);
            await setup.QueueDeclareAsync(name + "_error", durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: Ct);
            await setup.QueueBindAsync(name + "_error", name + "_error", "", cancellationToken: Ct);
            await setup.QueueDeclareAsync(name, durable: true, exclusive: false, autoDelete: false, arguments, cancellationToken: Ct);
            await setup.BasicPublishAsync("", name, true, new BasicProperties { MessageId = "crashes-its-consumer", Persistent = true },
                Encoding.UTF8.GetBytes("{}"), Ct);
        }

        // Its consumer dies with it unacknowledged, twice: the second return exceeds the limit.
        for (var delivery = 0; delivery < 2; delivery++)
        {
            await using var consumer = await connection.CreateChannelAsync(cancellationToken: Ct);
            Assert.NotNull(await consumer.BasicGetAsync(name, autoAck: false, Ct));
            await consumer.CloseAsync(Ct);
        }

        var run = await Errors(vhost, "show", name + "_error");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("crashes-its-consumer", run.Output);
        Assert.Contains("dead-lettered by the broker: delivery_limit", run.Output);
    }

    [Fact]
    public async Task Show_peeks_without_taking_anything_and_keeps_the_order()
    {
        var (vhost, connection) = await ConnectAsync();
        await using var _ = connection;
        var name = Unique("show");
        var parked = await ParkAsync(connection, name, 3);

        var run = await Errors(vhost, "show", name + "_error", "--count", "2");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("3 message(s); showing 2", run.Output);
        Assert.Contains(parked[0].MessageId, run.Output);
        Assert.Contains(parked[1].MessageId, run.Output);
        Assert.DoesNotContain(parked[2].MessageId, run.Output);
        Assert.Contains("MassTransit.InvalidMessageException", run.Output);
        Assert.Contains("Vectors from model other-model are refused (1)", run.Output);
        Assert.Contains("urn:message:Platform.Contracts:ListingEmbedded", run.Output);
        Assert.Contains("2025-06-01T12:00:00", run.Output);
        Assert.Contains("\"title\":\"Listing 1\"", run.Output);

        var left = await DrainAsync(connection, name + "_error");
        Assert.Equal(parked.Select(p => p.MessageId), left.Select(m => m.BasicProperties.MessageId));
    }

    [Fact]
    public async Task Replay_of_one_message_moves_exactly_it_with_body_id_and_headers_but_no_fault_headers()
    {
        var (vhost, connection) = await ConnectAsync();
        await using var _ = connection;
        var name = Unique("one");
        var parked = await ParkAsync(connection, name, 3);

        var run = await Errors(vhost, "replay", name, "--message-id", parked[1].MessageId);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Replayed 1 message(s)", run.Output);
        var moved = Assert.Single(await DrainAsync(connection, name));
        Assert.Equal(parked[1].MessageId, moved.BasicProperties.MessageId);
        Assert.Equal(parked[1].Body, Encoding.UTF8.GetString(moved.Body.Span));
        Assert.Equal("application/json", moved.BasicProperties.ContentType);
        Assert.Equal("correlation-2", moved.BasicProperties.CorrelationId);
        Assert.True(moved.BasicProperties.Persistent);
        var headers = moved.BasicProperties.Headers!;
        Assert.Equal("urn:message:Platform.Contracts:ListingEmbedded", ErrorQueues.Text(headers["MT-MessageType"]));
        Assert.Equal("scoring-1", ErrorQueues.Text(headers["MT-Host-MachineName"]));
        Assert.True(headers.ContainsKey("traceparent"));
        Assert.DoesNotContain(headers.Keys, k => k.StartsWith("MT-Fault-", StringComparison.Ordinal) || k == "MT-Reason");

        // The others stay, in their order.
        var left = await DrainAsync(connection, name + "_error");
        Assert.Equal([parked[0].MessageId, parked[2].MessageId], left.Select(m => m.BasicProperties.MessageId));
    }

    [Fact]
    public async Task Replay_all_moves_everything_in_order_and_loses_nothing()
    {
        var (vhost, connection) = await ConnectAsync();
        await using var _ = connection;
        var name = Unique("all");
        var parked = await ParkAsync(connection, name, 5);

        var run = await Errors(vhost, "replay", name + "_error", "--all");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Replayed 5 message(s)", run.Output);
        Assert.Equal(0u, await CountAsync(connection, name + "_error"));
        var moved = await DrainAsync(connection, name);
        Assert.Equal(parked.Select(p => (p.MessageId, p.Body)), moved.Select(m => (m.BasicProperties.MessageId!, Encoding.UTF8.GetString(m.Body.Span))));
    }

    [Fact]
    public async Task Replay_refuses_when_the_target_queue_is_missing_or_the_id_unknown_and_keeps_every_message()
    {
        var (vhost, connection) = await ConnectAsync();
        await using var _ = connection;
        var name = Unique("keep");
        var parked = await ParkAsync(connection, name, 2);

        var unknown = await Errors(vhost, "replay", name + "_error", "--message-id", Guid.NewGuid().ToString());
        Assert.True(unknown.ExitCode == 1, unknown.ToString());
        Assert.Contains("No message with id", unknown.Output);

        await using (var channel = await connection.CreateChannelAsync(cancellationToken: Ct))
            await channel.QueueDeleteAsync(name, cancellationToken: Ct);
        var missing = await Errors(vhost, "replay", name + "_error", "--all");
        Assert.True(missing.ExitCode == 1, missing.ToString());
        Assert.Contains($"Queue {name} does not exist", missing.Output);

        var usage = await Errors(vhost, "replay", name + "_error");
        Assert.NotEqual(0, usage.ExitCode);
        Assert.Contains("Pass exactly one of --message-id ID or --all.", usage.Output);

        var left = await DrainAsync(connection, name + "_error");
        Assert.Equal(parked.Select(p => p.MessageId), left.Select(m => m.BasicProperties.MessageId));
    }

    [Fact]
    public async Task Without_a_broker_it_says_that_the_embedded_host_keeps_its_error_queues_in_memory()
    {
        var run = await Cli.RunAsync(null, ["errors", "list", "--amqp", $"amqp://guest:guest@127.0.0.1:{FreePort.Next()}/"]);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains("Cannot connect to RabbitMQ", run.Output);
        Assert.Contains("error queues live inside that process and are not reachable", run.Flat);
    }
}
