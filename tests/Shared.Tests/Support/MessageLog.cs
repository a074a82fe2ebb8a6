using System.Collections.Concurrent;

namespace Shared.Tests.Support;

/// <summary>What a host's test consumers received, in the order they handled it.</summary>
public sealed class MessageLog
{
    private readonly ConcurrentQueue<Received> _received = new();

    public IReadOnlyList<Received> All => [.. _received];

    public void Add(Received received) => _received.Enqueue(received);

    public IReadOnlyList<Received> Of<T>() => [.. _received.Where(r => r.Message is T)];

    public Task<IReadOnlyList<Received>> WaitForAsync<T>(int count, TimeSpan? timeout = null) =>
        WaitForAsync(r => r.Message is T, count, timeout);

    public async Task<IReadOnlyList<Received>> WaitForAsync(Func<Received, bool> match, int count, TimeSpan? timeout = null)
    {
        IReadOnlyList<Received> matching = [];
        await Eventually.HoldsAsync(() => (matching = [.. _received.Where(match)]).Count >= count,
            $"{count} matching messages (have {_received.Count(match)})", timeout);
        return matching;
    }
}

/// <summary>One consumed message: its transport message id, the message, and what the consumer observed.</summary>
public sealed record Received(Guid? MessageId, object Message, string Note = "");
