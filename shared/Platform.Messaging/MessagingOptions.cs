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

    public ushort PrefetchCount { get; set; } = 16;
}
