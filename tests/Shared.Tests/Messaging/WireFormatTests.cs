using System.Text;
using System.Text.Json;
using MassTransit;
using Platform.Testing;
using RabbitMQ.Client;
using Shared.Tests.Support;

namespace Shared.Tests.Messaging;

public sealed record WireAlpha(string Text);
public sealed record WireBeta(int Number);

/// <summary>Two message types on one endpoint, like embedding's <c>embed-interests</c>: each message must reach only its own handler.</summary>
public sealed class TwoTypeConsumer(MessageLog log) : IConsumer<WireAlpha>, IConsumer<WireBeta>
{
    public Task Consume(ConsumeContext<WireAlpha> context)
    {
        log.Add(new Received(context.MessageId, context.Message, context.ReceiveContext.ContentType?.MediaType ?? ""));
        return Task.CompletedTask;
    }

    public Task Consume(ConsumeContext<WireBeta> context)
    {
        log.Add(new Received(context.MessageId, context.Message, context.ReceiveContext.ContentType?.MediaType ?? ""));
        return Task.CompletedTask;
    }
}

/// <summary>
/// What <c>AddMessaging</c> puts on the wire and accepts: messages go out as plain JSON with the message id and type in
/// headers; every endpoint still consumes MassTransit's envelope; a plain message reaches only the consumer of its type.
/// </summary>
public sealed class WireFormatTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>, IDisposable
{
    private readonly TempDirectory _temp = new("wire-format");

    public void Dispose() => _temp.Dispose();

    [Fact]
    public async Task Plain_json_and_envelope_messages_both_reach_only_the_consumer_of_their_type()
    {
        var vhost = await rabbit.RequireAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var host = await BusHost.StartAsync(_temp, x => x.AddConsumer<TwoTypeConsumer>(),
            OutboxRelayRabbitMqTests.RabbitSettings(vhost.AmqpUri), outbox: false);

        var plainId = NewId.NextGuid();
        await host.Bus.Publish(new WireAlpha("plain"), context => context.MessageId = plainId, ct);

        // An enveloped message (an older MassTransit publisher), sent straight to the endpoint's exchange.
        var envelopeId = NewId.NextGuid();
        await using (var connection = await AmqpObserver.ConnectAsync(vhost.AmqpUri))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
        {
            var envelope = JsonSerializer.Serialize(new
            {
                messageId = envelopeId, messageType = new[] { "urn:message:Shared.Tests.Messaging:WireBeta" }, message = new { number = 7 },
            });
            await channel.BasicPublishAsync("two-type", "", mandatory: false,
                new BasicProperties { ContentType = "application/vnd.masstransit+json", MessageId = envelopeId.ToString() },
                Encoding.UTF8.GetBytes(envelope), ct);
        }

        await host.Received.WaitForAsync(r => r.MessageId == plainId || r.MessageId == envelopeId, 2);
        // A marker behind them in the same queue: once it is consumed, so are they, to every consumer they were going to reach.
        var markerId = NewId.NextGuid();
        await host.Bus.Publish(new WireAlpha("marker"), context => context.MessageId = markerId, ct);
        await host.Received.WaitForAsync(r => r.MessageId == markerId, 1);
        var alpha = Assert.Single(host.Received.Of<WireAlpha>(), r => r.MessageId != markerId);
        Assert.Equal((plainId, "plain", "application/json"), (alpha.MessageId, ((WireAlpha)alpha.Message).Text, alpha.Note));
        var beta = Assert.Single(host.Received.Of<WireBeta>());
        Assert.Equal((envelopeId, 7, "application/vnd.masstransit+json"), (beta.MessageId, ((WireBeta)beta.Message).Number, beta.Note));
    }
}
