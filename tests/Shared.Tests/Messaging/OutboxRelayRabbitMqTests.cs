using Dapper;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Testing;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

/// <summary>The outbox relay publishing to a real RabbitMQ virtual host configured by <c>Messaging:RabbitMq:Url</c>.</summary>
public sealed class OutboxRelayRabbitMqTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("relay-rabbit");

    public void Dispose() => _temp.Dispose();

    internal static Dictionary<string, string?> RabbitSettings(Uri amqpUri) => new()
    {
        ["Messaging:Transport"] = "RabbitMq",
        ["Messaging:RabbitMq:Url"] = amqpUri.ToString(),
        // The URL overrides the separate fields: these point nowhere.
        ["Messaging:RabbitMq:Host"] = "broker.invalid",
        ["Messaging:RabbitMq:Port"] = "1",
        ["Messaging:RabbitMq:VirtualHost"] = "no-such-vhost",
    };

    internal static ListingScored Scored(int number) => new()
    {
        ListingId = Guid.NewGuid(), Title = $"listing {number}", ModelVersion = "test", EmbeddingModelId = "test", ScoredAt = DateTimeOffset.UtcNow,
        GlobalRewards = new Dictionary<string, double> { ["number"] = number },
    };

    internal static async Task<List<(Guid Id, ListingScored Message)>> WriteAsync(BusHost host, int from, int count)
    {
        var ct = TestContext.Current.CancellationToken;
        var written = new List<(Guid, ListingScored)>();
        await using var uow = await host.Database.BeginAsync(ct);
        for (var i = from; i < from + count; i++)
        {
            var message = Scored(i);
            written.Add((await host.Outbox.AddAsync(uow, message, ct), message));
        }
        await uow.CommitAsync(ct);
        return written;
    }

    internal static void AssertDelivered(IEnumerable<(Guid Id, ListingScored Message)> written, IEnumerable<RawMessage> delivered)
    {
        var expected = written.ToList();
        var actual = delivered.ToList();
        Assert.Equal(expected.Count, actual.Count);
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Id.ToString("D"), actual[i].MessageId);
            Assert.Equal(expected[i].Id.ToString("D"), actual[i].Header("MessageId"));
            Assert.Equal(expected[i].Message.ListingId, actual[i].Message.GetProperty("listingId").GetGuid());
        }
    }

    [Fact]
    public async Task Publishes_rows_in_order_and_marks_them_sent_only_once_the_broker_has_them()
    {
        var vhost = await rabbit.RequireAsync();
        await using var observer = await AmqpObserver.StartAsync(vhost.AmqpUri, "listing-scored", $"relay-observer-{Guid.NewGuid():N}");
        await using var host = await BusHost.StartAsync(_temp, _ => { }, RabbitSettings(vhost.AmqpUri));

        var written = await WriteAsync(host, 0, 10);

        await Eventually.HoldsAsync(async () => (await OutboxRelayTests.RowsAsync(host.Database)).All(r => r.SentAt is not null), "all rows sent", TimeSpan.FromSeconds(30));
        // Publisher confirms: a row is marked sent after the broker confirmed it, so every sent message is already queued.
        Assert.Equal(10u, await observer.CountAsync());
        AssertDelivered(written, await observer.TakeAsync(10));
        Assert.All(await OutboxRelayTests.RowsAsync(host.Database), r => Assert.Equal(1, r.Attempts));
    }

    [Fact]
    public async Task Rows_left_unsent_by_a_previous_run_are_published_when_the_service_starts()
    {
        var vhost = await rabbit.RequireAsync();
        await using var observer = await AmqpObserver.StartAsync(vhost.AmqpUri, "listing-scored", $"restart-observer-{Guid.NewGuid():N}");
        // A previous run committed these and stopped before publishing them (no host, so no relay, is running yet).
        var previous = ScratchDatabase.LikeTestDatabase(_temp.File("test.db"));
        var writer = new OutboxWriter<ScratchDatabase>(new OutboxSignal<ScratchDatabase>(), TimeProvider.System);
        var written = new List<(Guid Id, ListingScored Message)>();
        await using (var uow = await previous.BeginAsync(TestContext.Current.CancellationToken))
        {
            for (var i = 0; i < 3; i++)
            {
                var message = Scored(i);
                written.Add((await writer.AddAsync(uow, message, TestContext.Current.CancellationToken), message));
            }
            await uow.CommitAsync(TestContext.Current.CancellationToken);
        }

        await using var host = await BusHost.StartAsync(_temp, _ => { }, RabbitSettings(vhost.AmqpUri));

        await Eventually.HoldsAsync(async () => (await OutboxRelayTests.RowsAsync(host.Database)).All(r => r.SentAt is not null), "all rows sent", TimeSpan.FromSeconds(30));
        Assert.Equal(3u, await observer.CountAsync());
        AssertDelivered(written, await observer.TakeAsync(3));
        // Published on the first attempt: the relay did not race the bus's start.
        Assert.All(await OutboxRelayTests.RowsAsync(host.Database), r => Assert.Equal(1, r.Attempts));
        Assert.DoesNotContain(host.Logs.Lines, l => l.Contains("Outbox relay"));
    }

    [Fact]
    public async Task Rows_written_while_the_broker_refuses_the_service_stay_unsent_and_are_published_in_order_after_recovery()
    {
        var vhost = await rabbit.RequireAsync();
        var broker = vhost.Broker;
        if (!broker.IsPrivateNode && vhost.Name == broker.VirtualHost)
            Assert.Skip("needs a virtual host of its own (rabbitmqctl access to the RABBITMQ_URL broker)");
        var ct = TestContext.Current.CancellationToken;
        var queue = $"outage-observer-{Guid.NewGuid():N}";
        await using (await AmqpObserver.StartAsync(vhost.AmqpUri, "listing-scored", queue))
        {
        }
        await using var host = await BusHost.StartAsync(_temp, _ => { }, new Dictionary<string, string?>(RabbitSettings(vhost.AmqpUri))
        {
            ["Messaging:Outbox:PublishTimeout"] = "00:00:00.500",
            ["Messaging:Outbox:MaxBackoff"] = "00:00:00.500",
        });
        var before = await WriteAsync(host, 0, 1);
        await Eventually.HoldsAsync(async () => (await OutboxRelayTests.RowsAsync(host.Database))[0].SentAt is not null, "the first row sent", TimeSpan.FromSeconds(30));

        // The broker goes away for this service: its connections are closed and it may not reconnect.
        await broker.RabbitMqCtlAsync(["clear_permissions", "-p", vhost.Name, broker.Username], ct);
        try
        {
            await broker.CloseAllConnectionsAsync(vhost.Name, ct);
            var during = await WriteAsync(host, 1, 3);

            await Eventually.HoldsAsync(async () => (await OutboxRelayTests.RowsAsync(host.Database))[1] is { Attempts: >= 2, LastError: not null },
                "failed publish attempts recorded on the first unsent row", TimeSpan.FromSeconds(30));
            var rows = await OutboxRelayTests.RowsAsync(host.Database);
            Assert.All(rows.Skip(1), r => Assert.Null(r.SentAt));
            Assert.All(rows.Skip(2), r => Assert.Equal(0, r.Attempts));

            await broker.RabbitMqCtlAsync(["set_permissions", "-p", vhost.Name, broker.Username, ".*", ".*", ".*"], ct);
            await Eventually.HoldsAsync(async () => (await OutboxRelayTests.RowsAsync(host.Database)).All(r => r.SentAt is not null),
                "all rows sent after recovery", TimeSpan.FromSeconds(60));

            await using var observer = await AmqpObserver.StartAsync(vhost.AmqpUri, "listing-scored", queue, declare: false);
            var delivered = await observer.TakeAsync(4);
            AssertDelivered([.. before, .. during], delivered);
            Assert.Null((await OutboxRelayTests.RowsAsync(host.Database))[1].LastError);
        }
        finally
        {
            await broker.RabbitMqCtlAsync(["set_permissions", "-p", vhost.Name, broker.Username, ".*", ".*", ".*"], CancellationToken.None);
        }
    }
}
