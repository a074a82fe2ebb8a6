using System.Diagnostics.Metrics;
using Platform.Ingestion.Listings;

namespace Platform.Ingestion;

/// <summary>Meter <c>Platform.Ingestion</c>: submitted listings by outcome (created, already-accepted, conflict, invalid).</summary>
public sealed class IngestionMetrics
{
    public const string MeterName = "Platform.Ingestion";
    public const string ListingsName = "platform.ingestion.listings";

    private readonly Counter<long> _listings;

    public IngestionMetrics(IMeterFactory meters) =>
        _listings = meters.Create(MeterName).CreateCounter<long>(ListingsName, "{listing}", "Submitted listings by outcome");

    public void Accepted(AcceptOutcome outcome) => Record(outcome switch
    {
        AcceptOutcome.Created => "created",
        AcceptOutcome.AlreadyAccepted => "already-accepted",
        _ => "conflict",
    });

    public void Invalid() => Record("invalid");

    private void Record(string outcome) => _listings.Add(1, new KeyValuePair<string, object?>("outcome", outcome));
}
