using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Messaging;

/// <summary>
/// Meter and activity source <c>Platform.Messaging</c>: what the outbox relays publish, how long rows waited, the
/// backlog of unsent rows per database, and an <c>outbox.publish</c> span per row in the trace of the operation that
/// wrote it (the broker's send span, and so the consumer's, follow from it).
/// </summary>
public static class OutboxMetrics
{
    public const string MeterName = "Platform.Messaging";
    // The one meter and activity source of Platform.Messaging (also used by MessageTrace and QueueDepthMonitor).
    internal static readonly Meter Meter = new(MeterName);
    internal static readonly ActivitySource Source = new(MeterName);
    private static readonly ConcurrentDictionary<string, long> Backlogs = new();
    private static readonly Counter<long> PublishedCounter = Meter.CreateCounter<long>("platform.outbox.published", "{message}", "Outbox rows published and confirmed");
    private static readonly Histogram<double> LagHistogram = Meter.CreateHistogram<double>("platform.outbox.lag", "s",
        "From a row's commit to its confirmed publish",
        advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300] });

    static OutboxMetrics() =>
        Meter.CreateObservableGauge("platform.outbox.backlog",
            () => Backlogs.Select(b => new Measurement<long>(b.Value, new KeyValuePair<string, object?>("database", b.Key))),
            "{message}", "Unsent outbox rows per database, as of the relay's last pass");

    public static void Published(string database, int count)
    {
        if (count > 0)
            PublishedCounter.Add(count, new KeyValuePair<string, object?>("database", database));
    }

    public static void Lag(string database, TimeSpan lag) =>
        LagHistogram.Record(Math.Max(0, lag.TotalSeconds), new KeyValuePair<string, object?>("database", database));

    public static void Backlog(string database, long unsent) => Backlogs[database] = unsent;

    internal static Activity? StartPublish(string database, OutboxMessage row)
    {
        ActivityContext.TryParse(row.TraceParent, null, out var parent);
        var activity = Source.StartActivity("outbox.publish", ActivityKind.Producer, parent);
        activity?.SetTag("messaging.message.id", row.MessageId);
        activity?.SetTag("outbox.database", database);
        activity?.SetTag("outbox.message_type", row.MessageType);
        return activity;
    }
}
