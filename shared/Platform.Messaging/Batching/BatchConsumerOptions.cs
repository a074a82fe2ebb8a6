namespace Platform.Messaging;

/// <summary>How many messages one batch holds, how long a partial batch waits for more, and how many run at once.</summary>
public abstract class BatchConsumerOptions
{
    /// <summary>Most messages in one batch.</summary>
    public int MessageLimit { get; set; } = 32;

    /// <summary>How long the first message of a partial batch waits for the rest.</summary>
    public TimeSpan TimeLimit { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Batches consumed at once. One is right for CPU-bound work that already uses every core.</summary>
    public int ConcurrencyLimit { get; set; } = 1;

    /// <summary>Messages admitted at once: full batches for every concurrent batch, plus one batch being filled.</summary>
    public int MessageCapacity => MessageLimit * (ConcurrencyLimit + 1);

    internal void Validate(string section)
    {
        if (MessageLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(MessageLimit), MessageLimit, $"{section}:MessageLimit must be at least 1.");
        if (TimeLimit <= TimeSpan.Zero)
            throw new ArgumentOutOfRangeException(nameof(TimeLimit), TimeLimit, $"{section}:TimeLimit must be positive.");
        if (ConcurrencyLimit < 1)
            throw new ArgumentOutOfRangeException(nameof(ConcurrencyLimit), ConcurrencyLimit, $"{section}:ConcurrencyLimit must be at least 1.");
    }
}
