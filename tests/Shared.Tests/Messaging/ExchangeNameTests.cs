using MassTransit;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Testing;
using RabbitMQ.Client.Exceptions;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

public sealed class ExchangeNameFormatterTests
{
    private sealed class Fallback : IEntityNameFormatter
    {
        public string FormatEntityName<T>() => $"fallback:{typeof(T).Name}";
    }

    [Fact]
    public void Contracts_are_named_by_their_attribute_and_other_types_by_the_fallback()
    {
        var formatter = new ExchangeNameFormatter(new Fallback());

        Assert.Equal("listing-scored", formatter.FormatEntityName<ListingScored>());
        Assert.Equal("notification-failed", formatter.FormatEntityName<NotificationFailed>());
        Assert.Equal("fallback:OutboxProbe", formatter.FormatEntityName<OutboxProbe>());
    }

    [Fact]
    public void Every_contract_has_a_distinct_kebab_case_exchange_name()
    {
        var contracts = typeof(ExchangeNameAttribute).Assembly.GetTypes()
            .Where(t => t is { IsClass: true, IsAbstract: false } && t.Namespace == "Platform.Contracts" && t != typeof(ExchangeNameAttribute) && !t.IsNested)
            .Where(t => t.GetProperties().Length > 0 && t.Name != nameof(SubscriberMatch))
            .ToList();
        var names = contracts.ToDictionary(t => t, t => t.GetCustomAttributes(typeof(ExchangeNameAttribute), false).Cast<ExchangeNameAttribute>().SingleOrDefault()?.Name);

        Assert.All(names, n => Assert.True(n.Value is not null, $"{n.Key.Name} has no [ExchangeName]"));
        Assert.All(names, n => Assert.Matches("^[a-z]+(-[a-z]+)*$", n.Value!));
        Assert.Equal(names.Count, names.Values.Distinct().Count());
    }
}

/// <summary>Exchange names on a real broker, observed with the plain RabbitMQ client as a non-.NET consumer would.</summary>
public sealed class ExchangeNameRabbitMqTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("exchange-name");

    public void Dispose() => _temp.Dispose();

    private static async Task<bool> ExchangeExistsAsync(Uri amqpUri, string name)
    {
        await using var connection = await AmqpObserver.ConnectAsync(amqpUri);
        await using var channel = await connection.CreateChannelAsync(cancellationToken: TestContext.Current.CancellationToken);
        try
        {
            await channel.ExchangeDeclarePassiveAsync(name, TestContext.Current.CancellationToken);
            return true;
        }
        catch (OperationInterruptedException ex) when (ex.ShutdownReason?.ReplyCode == 404)
        {
            return false;
        }
    }

    [Fact]
    public async Task Publishing_ListingScored_creates_and_uses_an_exchange_named_listing_scored()
    {
        var vhost = await rabbit.RequireAsync();
        if (!vhost.Broker.IsPrivateNode && vhost.Name == vhost.Broker.VirtualHost)
            Assert.Skip("needs a fresh virtual host (rabbitmqctl access to the RABBITMQ_URL broker)");
        var ct = TestContext.Current.CancellationToken;
        Assert.False(await ExchangeExistsAsync(vhost.AmqpUri, "listing-scored"));
        await using var host = await BusHost.StartAsync(_temp, _ => { }, OutboxRelayRabbitMqTests.RabbitSettings(vhost.AmqpUri), outbox: false);

        // MassTransit declares the exchange on first publish, under the contract's name and not the .NET type name.
        await host.Bus.Publish(OutboxRelayRabbitMqTests.Scored(0), ct);
        Assert.True(await ExchangeExistsAsync(vhost.AmqpUri, "listing-scored"));
        Assert.False(await ExchangeExistsAsync(vhost.AmqpUri, "Platform.Contracts:ListingScored"));

        await using var observer = await AmqpObserver.StartAsync(vhost.AmqpUri, "listing-scored", $"non-dotnet-{Guid.NewGuid():N}");
        var scored = OutboxRelayRabbitMqTests.Scored(1) with
        {
            Matches = [new SubscriberMatch { SubscriberId = Guid.NewGuid(), Score = 0.75 }],
        };
        var id = NewId.NextGuid();
        await host.Bus.Publish(scored, ctx => ctx.MessageId = id, ct);

        await Eventually.HoldsAsync(async () => await observer.CountAsync() == 1, "the message in the bound queue");
        var raw = Assert.Single(await observer.TakeAsync(1));
        Assert.Equal(id.ToString("D"), raw.MessageId);
        // Plain JSON for any language: the event is the whole body, MassTransit's metadata rides in headers.
        Assert.Equal("application/json", raw.ContentType);
        Assert.False(raw.Json.TryGetProperty("message", out _));
        Assert.Equal(id.ToString("D"), raw.Header("MessageId"));
        Assert.Equal(scored.ListingId, raw.Message.GetProperty("listingId").GetGuid());
        Assert.Equal("listing 1", raw.Message.GetProperty("title").GetString());
        Assert.Equal(0.75, raw.Message.GetProperty("matches")[0].GetProperty("score").GetDouble());
        Assert.Equal("urn:message:Platform.Contracts:ListingScored", raw.Header("MT-MessageType"));
    }

    [Fact]
    public async Task Enums_travel_as_strings_on_the_wire()
    {
        var vhost = await rabbit.RequireAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var host = await BusHost.StartAsync(_temp, _ => { }, OutboxRelayRabbitMqTests.RabbitSettings(vhost.AmqpUri), outbox: false);
        await using var observer = await AmqpObserver.StartAsync(vhost.AmqpUri, "notification-failed", $"enums-{Guid.NewGuid():N}");

        await host.Bus.Publish(new NotificationFailed
        {
            SubscriberId = Guid.NewGuid(), ListingId = Guid.NewGuid(), Channel = NotificationChannel.Webhook, Attempts = 2, Reason = "gone",
            FailedAt = DateTimeOffset.UtcNow,
        }, ct);

        await Eventually.HoldsAsync(async () => await observer.CountAsync() == 1, "the message in the bound queue");
        var raw = Assert.Single(await observer.TakeAsync(1));
        Assert.Equal("Webhook", raw.Message.GetProperty("channel").GetString());
    }
}
