using System.Diagnostics.Metrics;

namespace Platform.Scoring;

/// <summary>
/// Meter <c>Platform.Scoring</c> (exported by the service defaults, which take every <c>Platform.*</c> meter): the size
/// of each scoring batch and how long its inference took (quality, novelty and the product against every subscriber).
/// </summary>
public sealed class ScoringMetrics
{
    public const string MeterName = "Platform.Scoring";
    public const string BatchSizeName = "platform.scoring.batch.size";
    public const string InferenceDurationName = "platform.scoring.inference.duration";

    private readonly Histogram<int> _batchSize;
    private readonly Histogram<double> _inference;

    public ScoringMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _batchSize = meter.CreateHistogram<int>(BatchSizeName, "{listing}", "Listings in one scoring batch (messages received together)",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128, 256] });
        _inference = meter.CreateHistogram<double>(InferenceDurationName, "s", "Inference time of one scoring batch against every subscriber",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] });
    }

    public void RecordBatch(int listings, TimeSpan inference)
    {
        _batchSize.Record(listings);
        _inference.Record(inference.TotalSeconds);
    }
}
