namespace Platform.Messaging;

public enum MessagingTransport
{
    RabbitMq,
    /// <summary>MassTransit's in-process transport: the embedded default, all services in one process on one bus.</summary>
    InMemory,
}

public sealed class MessagingOptions
{
    public MessagingTransport Transport { get; set; } = MessagingTransport.RabbitMq;
    public RabbitMqOptions RabbitMq { get; set; } = new();

    /// <summary>Immediate retries of a failing message before it moves to its <c>_error</c> queue.</summary>
    public int RetryLimit { get; set; } = 3;
    public TimeSpan RetryInterval { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>
    /// Retries of a message that failed because its service's SQLite store stayed locked past the busy timeout
    /// (another writer, a backup): exponential from <see cref="ContentionRetryFirst"/> to <see cref="ContentionRetryMax"/>.
    /// The default rides out about two minutes of contention before the message moves to its <c>_error</c> queue.
    /// </summary>
    public int ContentionRetryLimit { get; set; } = 8;
    public TimeSpan ContentionRetryFirst { get; set; } = TimeSpan.FromSeconds(1);
    public TimeSpan ContentionRetryMax { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often the <c>platform.queue.depth</c> gauge asks the broker (RabbitMQ only).</summary>
    public TimeSpan QueueDepthInterval { get; set; } = TimeSpan.FromSeconds(15);
}

public sealed class RabbitMqOptions
{
    public string Host { get; set; } = "localhost";
    public ushort Port { get; set; } = 5672;
    public string VirtualHost { get; set; } = "/";
    public string Username { get; set; } = "guest";
    public string Password { get; set; } = "guest";

    /// <summary>Optional <c>amqp://user:pass@host:port/vhost</c>; when set it overrides the fields above.</summary>
    public string? Url { get; set; }

    /// <summary>
    /// Messages the broker hands a (single-message) endpoint before acknowledgements: two per concurrently consumed
    /// message, so the next one is already there when one finishes. Batch endpoints set their own (a batch's worth).
    /// </summary>
    public ushort PrefetchCount { get; set; } = 16;

    /// <summary>
    /// The queue type of every consumer endpoint. Quorum (the default) replicates and keeps a delivery count, so a
    /// message that takes its consumer's process down every time is dead-lettered after <see cref="DeliveryLimit"/>
    /// deliveries instead of looping. Classic suits a broker older than 3.8, or queues made before quorum became the default
    /// (RabbitMQ refuses to redeclare a queue with another type: drain and delete it first, see docs/reliability.md).
    /// </summary>
    public RabbitMqQueueType QueueType { get; set; } = RabbitMqQueueType.Quorum;

    /// <summary>
    /// Quorum queues: deliveries of one message that ended without an acknowledgement (its consumer's process died,
    /// its connection dropped) before the broker moves it to the endpoint's <c>_error</c> queue. Retries inside the
    /// process (<see cref="MessagingOptions.RetryLimit"/>) do not count; a crash, a restart or a broker failover each count once.
    /// </summary>
    public int DeliveryLimit { get; set; } = 10;

    /// <summary>Publisher confirms: a publish returns only once the broker has taken the message (the outbox relies on it).</summary>
    public bool PublisherConfirmation { get; set; } = true;
}

public enum RabbitMqQueueType
{
    Quorum,
    Classic,
}
