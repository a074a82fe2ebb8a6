using System.Diagnostics.Metrics;

namespace Platform.Messaging;

/// <summary>Meter <c>Platform.Messaging</c>: what the outbox relays publish.</summary>
public static class OutboxMetrics
{
    public const string MeterName = "Platform.Messaging";
    private static readonly Meter Meter = new(MeterName);
    private static readonly Counter<long> PublishedCounter = Meter.CreateCounter<long>("platform.outbox.published", "{message}", "Outbox rows published and confirmed");

    public static void Published(string database, int count)
    {
        if (count > 0)
            PublishedCounter.Add(count, new KeyValuePair<string, object?>("database", database));
    }
}
