namespace Shared.Tests.Support;

/// <summary>A clock that reads a fixed time (timers still run on real time).</summary>
public sealed class FixedClock(DateTimeOffset now) : TimeProvider
{
    public DateTimeOffset Now { get; set; } = now;

    public override DateTimeOffset GetUtcNow() => Now;
}
