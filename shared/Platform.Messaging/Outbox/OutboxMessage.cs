namespace Platform.Messaging;

public sealed record OutboxMessage
{
    public long Sequence { get; init; }
    public Guid MessageId { get; init; }
    public string MessageType { get; init; } = "";
    public string Body { get; init; } = "";
    public DateTimeOffset CreatedAt { get; init; }
    public int Attempts { get; init; }
    /// <summary>W3C trace context of the operation that wrote the row.</summary>
    public string? TraceParent { get; init; }
}
