using MassTransit;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// Counts, per message type, the messages a bus publishes and those its receive endpoints have finished consuming
/// (the consumer returned or threw), so that a test can wait for positive evidence that everything published so far has
/// been handled, instead of sleeping and hoping the machine was fast enough, before it asserts that nothing more happened.
/// </summary>
/// <remarks>
/// Only publishes through this bus are counted (a test's own, an outbox relay's), so it suits message types that one
/// endpoint of the same bus consumes — the in-memory transport, or a RabbitMQ bus whose own endpoint consumes what it
/// publishes. A message is counted as published before it is sent (so it cannot be consumed before it is counted).
/// </remarks>
public sealed class BusActivity : IPublishObserver, IConsumeObserver, IDisposable
{
    private readonly object _gate = new();
    private readonly Dictionary<Type, int> _published = [];
    private readonly Dictionary<Type, int> _consumed = [];
    private readonly List<ConnectHandle> _handles = [];

    /// <summary>Starts counting on <paramref name="bus"/>; connect it before the test publishes anything it wants to wait for.</summary>
    public static BusActivity Watch(IBus bus) => new BusActivity().Connect(bus);

    /// <summary>Starts counting on <paramref name="bus"/> (e.g. an instance registered in a host's container, once the host has started).</summary>
    public BusActivity Connect(IBus bus)
    {
        lock (_gate)
        {
            _handles.Add(bus.ConnectPublishObserver(this));
            _handles.Add(bus.ConnectConsumeObserver(this));
        }
        return this;
    }

    public int Published<T>() where T : class => Count(_published, typeof(T));

    public int Consumed<T>() where T : class => Count(_consumed, typeof(T));

    /// <summary>
    /// Waits until every message of each of <paramref name="messageTypes"/> published so far has been consumed (at least
    /// as many consumed as published); fails the test after <paramref name="timeout"/>.
    /// </summary>
    public async Task WaitUntilConsumedAsync(TimeSpan timeout, CancellationToken ct, params Type[] messageTypes)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            string? behind;
            lock (_gate)
            {
                behind = string.Join(", ", messageTypes
                    .Where(t => _consumed.GetValueOrDefault(t) < _published.GetValueOrDefault(t))
                    .Select(t => $"{t.Name}: {_consumed.GetValueOrDefault(t)} of {_published.GetValueOrDefault(t)} consumed"));
            }
            if (behind.Length == 0)
                return;
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"Not everything published was consumed within {timeout}: {behind}");
            await Task.Delay(10, ct);
        }
    }

    private int Count(Dictionary<Type, int> counts, Type type)
    {
        lock (_gate)
            return counts.GetValueOrDefault(type);
    }

    private void Add(Dictionary<Type, int> counts, Type type, int delta)
    {
        lock (_gate)
            counts[type] = counts.GetValueOrDefault(type) + delta;
    }

    Task IPublishObserver.PrePublish<T>(PublishContext<T> context)
    {
        Add(_published, typeof(T), 1);
        return Task.CompletedTask;
    }

    Task IPublishObserver.PostPublish<T>(PublishContext<T> context) => Task.CompletedTask;

    Task IPublishObserver.PublishFault<T>(PublishContext<T> context, Exception exception)
    {
        Add(_published, typeof(T), -1); // never sent, so never consumed
        return Task.CompletedTask;
    }

    Task IConsumeObserver.PreConsume<T>(ConsumeContext<T> context) => Task.CompletedTask;

    Task IConsumeObserver.PostConsume<T>(ConsumeContext<T> context)
    {
        Add(_consumed, typeof(T), 1);
        return Task.CompletedTask;
    }

    Task IConsumeObserver.ConsumeFault<T>(ConsumeContext<T> context, Exception exception)
    {
        Add(_consumed, typeof(T), 1);
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        lock (_gate)
        {
            foreach (var handle in _handles)
                handle.Disconnect();
            _handles.Clear();
        }
    }
}
