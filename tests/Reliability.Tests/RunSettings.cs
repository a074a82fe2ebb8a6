using System.Globalization;

namespace Reliability.Tests;

/// <summary>
/// The size and pace of a run, from the environment, so that the CI run and the documented run are the same test:
/// <c>RELIABILITY_LISTINGS</c> (default 2,000), <c>RELIABILITY_RATE</c> (listings/s offered; default: the stream
/// spans about two and a half minutes, long enough for every fault to land mid-stream), <c>RELIABILITY_REPORT_DIR</c>
/// (where the ledger, the load table and the plot are written; default: the test's temp folder).
/// </summary>
public sealed record RunSettings
{
    public required int Listings { get; init; }

    /// <summary>Listings offered per second by the publisher (it falls behind when ingestion does not keep up).</summary>
    public required double Rate { get; init; }

    /// <summary>Webhook subscribers registered before the stream starts.</summary>
    public int Subscribers { get; init; } = 5;

    /// <summary>Concurrent publisher connections.</summary>
    public int PublisherConcurrency { get; init; } = 8;

    public string? ReportDirectory { get; init; }

    /// <summary>How long the pipeline may take to drain after the last listing was accepted.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromMinutes(10);

    public static RunSettings FromEnvironment(int defaultListings, TimeSpan defaultStream, double? defaultRate = null)
    {
        var listings = Int("RELIABILITY_LISTINGS") ?? defaultListings;
        var rate = Double("RELIABILITY_RATE") ?? defaultRate ?? listings / defaultStream.TotalSeconds;
        var report = Environment.GetEnvironmentVariable("RELIABILITY_REPORT_DIR");
        return new RunSettings
        {
            Listings = listings,
            Rate = rate,
            ReportDirectory = string.IsNullOrWhiteSpace(report) ? null : Path.GetFullPath(report),
        };
    }

    private static int? Int(string name) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;

    private static double? Double(string name) =>
        double.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.Float, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : null;
}
