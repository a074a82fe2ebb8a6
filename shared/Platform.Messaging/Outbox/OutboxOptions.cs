namespace Platform.Messaging;

public sealed class OutboxOptions
{
    /// <summary>How often the relay looks for unsent rows when nothing woke it.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    public int BatchSize { get; set; } = 100;

    /// <summary>A publish waits at most this long for the broker's confirm (MassTransit#4891: it can otherwise wait forever).</summary>
    public TimeSpan PublishTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Longest pause between attempts while the broker refuses publishes.</summary>
    public TimeSpan MaxBackoff { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Sent outbox rows and inbox claims are kept this long (duplicate-detection window), then deleted.</summary>
    public TimeSpan Retention { get; set; } = TimeSpan.FromDays(7);
}
