using Xunit;

namespace Platform.Testing;

/// <summary>A virtual host of the test broker, with its AMQP URI.</summary>
public sealed record RabbitMqVirtualHost(RabbitMqBroker Broker, string Name)
{
    /// <summary>AMQP URI (with credentials) of this virtual host.</summary>
    public Uri AmqpUri => Broker.GetAmqpUri(Name);
}

/// <summary>
/// Class fixture giving a test class its own, clean virtual host on the process-wide <see cref="RabbitMqBroker"/>.
/// </summary>
/// <remarks>
/// Call <see cref="RequireAsync"/> inside each test (not in the constructor): the broker is started and the virtual
/// host created on the first call, and when RabbitMQ is unavailable the test is skipped (or fails on CI) like
/// <see cref="RabbitMqBroker.RequireAsync"/>. The virtual host is deleted after the class on a <c>RABBITMQ_URL</c>
/// broker; a private node is discarded as a whole at process exit.
/// <code>
/// public sealed class MyTests(RabbitMqVirtualHostFixture rabbit) : IClassFixture&lt;RabbitMqVirtualHostFixture&gt;
/// {
///     [Fact] public async Task Works() { var vhost = await rabbit.RequireAsync(); /* use vhost.AmqpUri */ }
/// }
/// </code>
/// </remarks>
public sealed class RabbitMqVirtualHostFixture : IAsyncDisposable
{
    private readonly object gate = new();
    private Task<RabbitMqVirtualHost>? created;

    /// <summary>The broker and this class's virtual host (created on the first call, named after the test class).</summary>
    public Task<RabbitMqVirtualHost> RequireAsync()
    {
        lock (gate)
        {
            return created ??= CreateAsync(TestContext.Current.TestClass?.TestClassSimpleName ?? "test");
        }
    }

    public async ValueTask DisposeAsync()
    {
        Task<RabbitMqVirtualHost>? task;
        lock (gate)
        {
            task = created;
        }

        if (task is null || !task.IsCompletedSuccessfully || task.Result.Broker.IsPrivateNode)
        {
            return;
        }

        try
        {
            await task.Result.Broker.DeleteVirtualHostAsync(task.Result.Name).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is RabbitMqCommandException or InvalidOperationException)
        {
            // Best effort: a leftover vhost on a shared broker is harmless (names are unique).
        }
    }

    private static async Task<RabbitMqVirtualHost> CreateAsync(string className)
    {
        var broker = await RabbitMqBroker.RequireAsync().ConfigureAwait(false);
        var name = await broker.CreateVirtualHostAsync(className).ConfigureAwait(false);
        return new RabbitMqVirtualHost(broker, name);
    }
}
