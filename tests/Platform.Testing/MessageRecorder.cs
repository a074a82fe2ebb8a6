using Xunit;
using MassTransit;

namespace Platform.Testing;

/// <summary>A message a <see cref="RecordingConsumer{T}"/> consumed, with the id it travelled under.</summary>
public sealed record RecordedMessage(object Message, Guid? MessageId, DateTimeOffset ReceivedAt);

/// <summary>
/// Collects what the test consumers of one test receive. Registered as a DI singleton in the host (or shared by two
/// hosts of one test), never static, so tests running in parallel do not see each other's messages.
/// </summary>
public sealed class MessageRecorder
{
    private readonly object _gate = new();
    private readonly List<RecordedMessage> _messages = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public void Record(object message, Guid? messageId)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _messages.Add(new RecordedMessage(message, messageId, DateTimeOffset.UtcNow));
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    /// <summary>Everything of type <typeparamref name="T"/> received so far that matches.</summary>
    public IReadOnlyList<(T Message, Guid? MessageId)> All<T>(Func<T, bool>? predicate = null) where T : class
    {
        lock (_gate)
        {
            return [.. _messages.Where(m => m.Message is T t && (predicate is null || predicate(t))).Select(m => ((T)m.Message, m.MessageId))];
        }
    }

    /// <summary>Waits for the first message of type <typeparamref name="T"/> that matches; fails the test after the timeout.</summary>
    public async Task<(T Message, Guid? MessageId)> WaitForAsync<T>(Func<T, bool> predicate, TimeSpan timeout, CancellationToken ct) where T : class
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                var found = _messages.FirstOrDefault(m => m.Message is T t && predicate(t));
                if (found is not null)
                    return ((T)found.Message, found.MessageId);
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"No matching {typeof(T).Name} arrived within {timeout}. Received: {Describe()}");
            }
        }
    }

    private string Describe()
    {
        lock (_gate)
        {
            return _messages.Count == 0 ? "nothing" : string.Join(", ", _messages.Select(m => m.Message.GetType().Name));
        }
    }
}

/// <summary>A consumer that only records; added next to the service's own consumers to observe what its bus carries.</summary>
public sealed class RecordingConsumer<T>(MessageRecorder recorder) : IConsumer<T> where T : class
{
    public Task Consume(ConsumeContext<T> context)
    {
        recorder.Record(context.Message, context.MessageId);
        return Task.CompletedTask;
    }
}

public static class RecordingConsumerRegistration
{
    /// <summary>
    /// Adds a <see cref="RecordingConsumer{T}"/> on its own endpoint (<c>test-recorder-&lt;name&gt;</c>), so its queue never shares a
    /// name with a message type's exchange or with a service's endpoint.
    /// </summary>
    public static void AddRecorder<T>(this IBusRegistrationConfigurator bus, string name) where T : class =>
        bus.AddConsumer<RecordingConsumer<T>>().Endpoint(e => e.Name = $"test-recorder-{name}");
}
