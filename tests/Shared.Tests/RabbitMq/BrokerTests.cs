using System.Text;
using Platform.Testing;
using RabbitMQ.Client;
using RabbitMQ.Client.Events;
using RabbitMQ.Client.Exceptions;

namespace Shared.Tests.RabbitMq;

/// <summary>The test broker itself, exercised with the plain RabbitMQ.Client.</summary>
public sealed class BrokerTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(30);

    [Fact]
    public async Task Connects_with_the_default_amqp_uri()
    {
        var broker = await RabbitMqBroker.RequireAsync();

        await using var connection = await Connect(broker.AmqpUri);

        Assert.True(connection.IsOpen);
        Assert.Equal(broker.Port, connection.Endpoint.Port);
        Assert.Equal(broker.Username, broker.AmqpUri.UserInfo.Split(':')[0]);
        Assert.Equal(broker.VirtualHost, UriVirtualHost(broker.AmqpUri));
    }

    [Fact]
    public async Task Publishes_with_confirms_and_consumes_in_a_fresh_virtual_host()
    {
        var vhost = await rabbit.RequireAsync();
        var ct = TestContext.Current.CancellationToken;
        await using var connection = await Connect(vhost.AmqpUri);
        await using var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true),
            ct);
        var queue = $"roundtrip-{Guid.NewGuid():N}";
        var declared = await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
        Assert.Equal(0u, declared.MessageCount);

        const int count = 50;
        for (var i = 0; i < count; i++)
        {
            var properties = new BasicProperties { Persistent = true, MessageId = i.ToString(), ContentType = "text/plain" };
            // With tracking enabled this completes only once the broker confirmed the message (throws on a nack).
            await channel.BasicPublishAsync("", queue, mandatory: true, properties, Encoding.UTF8.GetBytes($"message {i}"), ct);
        }

        var received = new List<string>();
        var all = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var consumer = new AsyncEventingBasicConsumer(channel);
        consumer.ReceivedAsync += async (_, delivery) =>
        {
            lock (received)
            {
                received.Add(Encoding.UTF8.GetString(delivery.Body.Span));
                if (received.Count == count)
                {
                    all.TrySetResult();
                }
            }

            await channel.BasicAckAsync(delivery.DeliveryTag, multiple: false);
        };
        var tag = await channel.BasicConsumeAsync(queue, autoAck: false, consumer, ct);

        await all.Task.WaitAsync(Timeout, ct);
        await channel.BasicCancelAsync(tag, cancellationToken: ct);

        Assert.Equal(Enumerable.Range(0, count).Select(i => $"message {i}"), received);
    }

    [Fact]
    public async Task Virtual_hosts_are_isolated()
    {
        var broker = await RabbitMqBroker.RequireAsync();
        var ct = TestContext.Current.CancellationToken;
        var first = await broker.CreateVirtualHostAsync("isolation-a", ct);
        var second = await broker.CreateVirtualHostAsync("isolation-a", ct);
        if (first == broker.VirtualHost)
        {
            Assert.Skip($"rabbitmqctl cannot reach the RABBITMQ_URL broker's node ({broker}), so there are no own virtual hosts.");
        }

        try
        {
            Assert.NotEqual(first, second);
            Assert.StartsWith("isolation-a-", first);
            const string queue = "same-name";

            await using (var connection = await Connect(broker.GetAmqpUri(first)))
            await using (var channel = await connection.CreateChannelAsync(
                new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct))
            {
                await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
                await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties(), "only in the first"u8.ToArray(), ct);
                var got = await channel.BasicGetAsync(queue, autoAck: false, ct);
                Assert.NotNull(got);
                await channel.BasicNackAsync(got.DeliveryTag, multiple: false, requeue: true, ct);
            }

            await using (var connection = await Connect(broker.GetAmqpUri(second)))
            {
                await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
                {
                    // The queue of the first vhost does not exist here: passive declare closes the channel with 404.
                    var ex = await Assert.ThrowsAsync<OperationInterruptedException>(
                        () => channel.QueueDeclarePassiveAsync(queue, ct));
                    Assert.Equal<ushort?>(404, ex.ShutdownReason?.ReplyCode);
                }

                await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
                {
                    var declared = await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
                    Assert.Equal(0u, declared.MessageCount);
                }
            }

            await using (var connection = await Connect(broker.GetAmqpUri(first)))
            await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
            {
                var declared = await channel.QueueDeclarePassiveAsync(queue, ct);
                Assert.Equal(1u, declared.MessageCount);
            }
        }
        finally
        {
            await broker.DeleteVirtualHostAsync(first, CancellationToken.None);
            await broker.DeleteVirtualHostAsync(second, CancellationToken.None);
        }
    }

    [Fact]
    public async Task Deleted_virtual_host_refuses_connections()
    {
        var broker = await RabbitMqBroker.RequireAsync();
        var ct = TestContext.Current.CancellationToken;
        var vhost = await broker.CreateVirtualHostAsync("deleted", ct);
        if (vhost == broker.VirtualHost)
        {
            Assert.Skip($"rabbitmqctl cannot reach the RABBITMQ_URL broker's node ({broker}).");
        }

        await broker.DeleteVirtualHostAsync(vhost, ct);

        // RabbitMQ.Client 7.2.2 may hand out the connection before the broker's refusal arrives; either way the
        // broker refuses it with 530 NOT_ALLOWED ("vhost ... not found").
        IConnection? connection = null;
        try
        {
            connection = await Connect(broker.GetAmqpUri(vhost));
            var deadline = DateTime.UtcNow.AddSeconds(30);
            while (connection.IsOpen && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50, ct);
            }

            Assert.False(connection.IsOpen);
            Assert.Equal(530, connection.CloseReason?.ReplyCode ?? 0);
        }
        catch (Exception ex) when (ex is BrokerUnreachableException or OperationInterruptedException)
        {
            // Refused while opening: fine as well.
        }
        finally
        {
            if (connection is not null)
            {
                await connection.DisposeAsync();
            }
        }
    }

    internal static async Task<IConnection> Connect(Uri uri)
    {
        var factory = new ConnectionFactory
        {
            Uri = uri,
            AutomaticRecoveryEnabled = false,
            RequestedConnectionTimeout = TimeSpan.FromSeconds(10),
            ClientProvidedName = TestContext.Current.Test?.TestDisplayName ?? "Shared.Tests",
        };
        return await factory.CreateConnectionAsync(TestContext.Current.CancellationToken);
    }

    private static string UriVirtualHost(Uri uri)
    {
        var path = uri.AbsolutePath.TrimStart('/');
        return path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
    }
}

/// <summary>Tests that disturb the whole broker run alone (after the parallel ones).</summary>
[CollectionDefinition(nameof(BrokerFaultCollection), DisableParallelization = true)]
public sealed class BrokerFaultCollection;

/// <summary>The fault-injection helpers later fault tests rely on.</summary>
[Collection(nameof(BrokerFaultCollection))]
public sealed class BrokerFaultTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture<RabbitMqVirtualHostFixture>
{
    [Fact]
    public async Task CloseAllConnections_of_a_virtual_host_closes_the_client_connection()
    {
        var vhost = await rabbit.RequireAsync();
        if (vhost.Name == vhost.Broker.VirtualHost && !vhost.Broker.IsPrivateNode)
        {
            Assert.Skip("rabbitmqctl cannot reach the RABBITMQ_URL broker's node.");
        }

        await using var connection = await BrokerTests.Connect(vhost.AmqpUri);
        var closed = new TaskCompletionSource<ShutdownEventArgs>(TaskCreationOptions.RunContinuationsAsynchronously);
        connection.ConnectionShutdownAsync += (_, args) =>
        {
            closed.TrySetResult(args);
            return Task.CompletedTask;
        };

        // The broker registers connections asynchronously; retry until ours was closed (each try is a rabbitmqctl run).
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (!closed.Task.IsCompleted && DateTime.UtcNow < deadline)
        {
            await vhost.Broker.CloseAllConnectionsAsync(vhost.Name, TestContext.Current.CancellationToken);
            await Task.WhenAny(closed.Task, Task.Delay(500, TestContext.Current.CancellationToken));
        }

        var args = await closed.Task.WaitAsync(TimeSpan.FromSeconds(1), TestContext.Current.CancellationToken);
        Assert.Equal(320, args.ReplyCode); // CONNECTION_FORCED
        Assert.False(connection.IsOpen);
    }

    [Fact]
    public async Task CloseAllConnections_without_virtual_host_closes_connections_of_every_virtual_host()
    {
        var vhost = await rabbit.RequireAsync();
        if (!vhost.Broker.IsPrivateNode)
        {
            Assert.Skip("Closing every connection of a shared RABBITMQ_URL broker is left to the private node.");
        }

        var ct = TestContext.Current.CancellationToken;
        await using var inDefault = await BrokerTests.Connect(vhost.Broker.AmqpUri);
        await using var inOwn = await BrokerTests.Connect(vhost.AmqpUri);

        var deadline = DateTime.UtcNow.AddSeconds(60);
        while ((inDefault.IsOpen || inOwn.IsOpen) && DateTime.UtcNow < deadline)
        {
            await vhost.Broker.CloseAllConnectionsAsync(cancellationToken: ct);
            await Task.Delay(300, ct);
        }

        Assert.False(inDefault.IsOpen);
        Assert.False(inOwn.IsOpen);
        Assert.Equal(320, inOwn.CloseReason?.ReplyCode ?? 0);
    }

    [Fact]
    public async Task Restart_keeps_durable_messages_and_accepts_connections_again()
    {
        var vhost = await rabbit.RequireAsync();
        if (!vhost.Broker.IsPrivateNode)
        {
            Assert.Skip("Restarting a shared RABBITMQ_URL broker is left to the private node.");
        }

        var ct = TestContext.Current.CancellationToken;
        var queue = $"durable-{Guid.NewGuid():N}";
        await using (var connection = await BrokerTests.Connect(vhost.AmqpUri))
        await using (var channel = await connection.CreateChannelAsync(
            new CreateChannelOptions(publisherConfirmationsEnabled: true, publisherConfirmationTrackingEnabled: true), ct))
        {
            await channel.QueueDeclareAsync(queue, durable: true, exclusive: false, autoDelete: false, cancellationToken: ct);
            await channel.BasicPublishAsync("", queue, mandatory: true, new BasicProperties { Persistent = true }, "survives"u8.ToArray(), ct);
        }

        await vhost.Broker.RestartAsync(TimeSpan.FromMilliseconds(200), ct);

        await using (var connection = await BrokerTests.Connect(vhost.AmqpUri))
        await using (var channel = await connection.CreateChannelAsync(cancellationToken: ct))
        {
            var got = await channel.BasicGetAsync(queue, autoAck: true, ct);
            Assert.NotNull(got);
            Assert.Equal("survives", Encoding.UTF8.GetString(got.Body.Span));
        }
    }
}
