using System.Diagnostics;
using System.Diagnostics.Metrics;
using Platform.Contracts;

namespace Platform.Notification.Deliveries;

/// <summary>
/// Activity source and meter <c>Platform.Notification</c>: a <c>notification.deliver</c> span per send attempt, in the
/// trace of the scored listing that caused it (its context is kept in the delivery log), deliveries by channel and
/// outcome, and the time from a delivery's creation to its successful send.
/// </summary>
public sealed class NotificationTelemetry
{
    public const string Name = "Platform.Notification";
    public const string DeliveriesName = "platform.notification.deliveries";
    public const string DeliveryLatencyName = "platform.notification.delivery.latency";

    private static readonly ActivitySource Source = new(Name);

    private readonly Counter<long> _deliveries;
    private readonly Histogram<double> _latency;

    public NotificationTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _deliveries = meter.CreateCounter<long>(DeliveriesName, "{delivery}", "Send attempts by channel and outcome (delivered, retry, failed)");
        _latency = meter.CreateHistogram<double>(DeliveryLatencyName, "s", "From the delivery's creation (the scored listing arriving) to its successful send",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 3600] });
    }

    /// <summary>The current trace context in W3C form, to store with a new delivery.</summary>
    public static string? CurrentTraceParent() => Activity.Current is { IdFormat: ActivityIdFormat.W3C } current ? current.Id : null;

    public static Activity? StartDelivery(Delivery delivery)
    {
        ActivityContext.TryParse(delivery.TraceParent, null, out var parent);
        var activity = Source.StartActivity("notification.deliver", ActivityKind.Producer, parent);
        activity?.SetTag("notification.channel", delivery.Channel.ToString());
        activity?.SetTag("notification.delivery_id", delivery.Id);
        activity?.SetTag("notification.attempt", delivery.Attempts + 1);
        activity?.SetTag("listing.id", delivery.ListingId);
        return activity;
    }

    public void Record(Delivery delivery, string outcome, DateTimeOffset now)
    {
        _deliveries.Add(1, new KeyValuePair<string, object?>("channel", delivery.Channel.ToString()), new KeyValuePair<string, object?>("outcome", outcome));
        if (outcome == "delivered" && delivery.CreatedAt != default)
            _latency.Record((now - delivery.CreatedAt).TotalSeconds, new KeyValuePair<string, object?>("channel", delivery.Channel.ToString()));
    }
}
