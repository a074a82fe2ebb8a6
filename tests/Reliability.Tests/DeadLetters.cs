using System.Text;
using RabbitMQ.Client;

namespace Reliability.Tests;

/// <summary>A message lying in an <c>_error</c> or <c>_skipped</c> queue, with the reason it was put there.</summary>
public sealed record DeadLetter(string Queue, string MessageId, string Reason);

/// <summary>Reads the broker's dead-letter queues without taking anything out of them.</summary>
public static class DeadLetters
{
    /// <summary>Every queue of a virtual host with its ready and unacknowledged messages (rabbitmqctl).</summary>
    public static async Task<Dictionary<string, long>> QueuesAsync(RabbitMqBroker broker, string virtualHost, CancellationToken ct)
    {
        var output = await broker.RabbitMqCtlAsync(["list_queues", "-p", virtualHost, "name", "messages", "--no-table-headers"], ct);
        return output.Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(line => line.Split('\t'))
            .Where(parts => parts.Length == 2 && long.TryParse(parts[1], out _))
            .ToDictionary(parts => parts[0].Trim(), parts => long.Parse(parts[1]), StringComparer.Ordinal);
    }

    public static bool IsDeadLetterQueue(string queue) =>
        queue.EndsWith("_error", StringComparison.Ordinal) || queue.EndsWith("_skipped", StringComparison.Ordinal);

    /// <summary>Peeks at every message of the given queues (got without acknowledgement, returned when the channel closes).</summary>
    public static async Task<List<DeadLetter>> ReadAsync(Uri amqpUri, IEnumerable<string> queues, CancellationToken ct)
    {
        var letters = new List<DeadLetter>();
        await using var connection = await EventTap.ConnectAsync(amqpUri, "reliability-dead-letters", ct);
        foreach (var queue in queues)
        {
            await using var channel = await connection.CreateChannelAsync(cancellationToken: ct);
            while (await channel.BasicGetAsync(queue, autoAck: false, ct) is { } message)
                letters.Add(new DeadLetter(queue, message.BasicProperties.MessageId ?? "", Reason(message.BasicProperties.Headers)));
            await channel.CloseAsync(ct);
        }

        return letters;
    }

    /// <summary>MassTransit's fault message, its skip reason, or the broker's <c>x-death</c> reason; empty when none.</summary>
    private static string Reason(IDictionary<string, object?>? headers)
    {
        if (headers is null)
            return "";
        foreach (var name in new[] { "MT-Fault-Message", "MT-Reason" })
            if (headers.TryGetValue(name, out var value) && Text(value) is { Length: > 0 } text)
                return $"{name}: {text}";
        if (headers.TryGetValue("x-death", out var deaths) && deaths is IList<object> list && list.Count > 0
            && list[0] is IDictionary<string, object> death && death.TryGetValue("reason", out var reason))
            return $"x-death: {Text(reason)}";
        return "";
    }

    private static string? Text(object? value) => value is byte[] bytes ? Encoding.UTF8.GetString(bytes) : value?.ToString();
}
