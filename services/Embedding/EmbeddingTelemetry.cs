using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Platform.Embedding;

/// <summary>
/// Meter and activity source <c>Platform.Embedding</c> (the service defaults export every <c>Platform.*</c> source):
/// listings per batch, texts by outcome (encoded, reused from the content-hash store, failed) and the time of each
/// encoder call, which is also a span (<c>embedding.encode</c>) inside the consuming message's trace.
/// </summary>
public sealed class EmbeddingTelemetry
{
    public const string Name = "Platform.Embedding";
    public const string BatchSizeName = "platform.embedding.batch.size";
    public const string TextsName = "platform.embedding.texts";
    public const string InferenceDurationName = "platform.embedding.inference.duration";

    private static readonly ActivitySource Source = new(Name);

    private readonly Histogram<int> _batchSize;
    private readonly Counter<long> _texts;
    private readonly Histogram<double> _inference;

    public EmbeddingTelemetry(IMeterFactory meters)
    {
        var meter = meters.Create(Name);
        _batchSize = meter.CreateHistogram<int>(BatchSizeName, "{listing}", "Listings embedded together in one batch",
            advice: new InstrumentAdvice<int> { HistogramBucketBoundaries = [1, 2, 4, 8, 16, 32, 64, 128] });
        _texts = meter.CreateCounter<long>(TextsName, "{text}", "Texts by outcome: encoded, reused (same content already embedded) or failed");
        _inference = meter.CreateHistogram<double>(InferenceDurationName, "s", "Duration of one encoder call (tokenizing and the model)",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] });
    }

    public void RecordBatch(int listings, int encoded, int reused, int failed)
    {
        _batchSize.Record(listings);
        _texts.Add(encoded, new KeyValuePair<string, object?>("outcome", "encoded"));
        _texts.Add(reused, new KeyValuePair<string, object?>("outcome", "reused"));
        _texts.Add(failed, new KeyValuePair<string, object?>("outcome", "failed"));
    }

    /// <summary>Times <paramref name="encode"/> as a span and in the inference histogram.</summary>
    public T MeasureInference<T>(int texts, string modelId, Func<T> encode)
    {
        using var activity = Source.StartActivity("embedding.encode");
        activity?.SetTag("embedding.texts", texts);
        activity?.SetTag("embedding.model_id", modelId);
        var started = Stopwatch.GetTimestamp();
        try
        {
            return encode();
        }
        catch (Exception ex)
        {
            activity?.SetStatus(ActivityStatusCode.Error, ex.Message);
            throw;
        }
        finally
        {
            _inference.Record(Stopwatch.GetElapsedTime(started).TotalSeconds);
        }
    }
}
