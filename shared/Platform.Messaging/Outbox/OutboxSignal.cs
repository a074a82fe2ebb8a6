namespace Platform.Messaging;

/// <summary>Wakes a database's outbox relay right after a commit instead of waiting for its next poll.</summary>
public sealed class OutboxSignal<TDatabase>
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
