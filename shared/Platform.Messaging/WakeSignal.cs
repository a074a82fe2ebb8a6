namespace Platform.Messaging;

/// <summary>
/// Wakes a background loop (an outbox relay, a delivery dispatcher) right after a commit instead of waiting for its
/// next poll. Several notifications before the loop wakes collapse into one.
/// </summary>
public class WakeSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        try { _signal.Release(); }
        catch (SemaphoreFullException) { /* already signalled */ }
    }

    public Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct) => _signal.WaitAsync(timeout, ct);
}
