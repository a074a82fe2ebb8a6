using System.Globalization;
using System.Text;

namespace Reliability.Tests;

/// <summary>Latency percentiles of one stage, in milliseconds.</summary>
public sealed record StageLatency(string Stage, int Count, double P50, double P95, double P99, double Max);

/// <summary>Throughput, per-stage latency, backlog over time and peak memory of a run, as a table, a CSV and an SVG plot.</summary>
public sealed class LoadReport
{
    public required int Listings { get; init; }
    public required double OfferedRate { get; init; }
    public required TimeSpan FirstSent { get; init; }
    public required TimeSpan LastScored { get; init; }
    public required double SteadyRate { get; init; }
    public required IReadOnlyList<StageLatency> Stages { get; init; }
    public required IReadOnlyList<PipelineSample> Samples { get; init; }
    public required IReadOnlyDictionary<string, long> PeakMemory { get; init; }
    public required int Webhooks { get; init; }

    public double EndToEndRate => Listings / (LastScored - FirstSent).TotalSeconds;

    public static LoadReport Build(double offeredRate, IReadOnlyCollection<PublishedListing> published, IReadOnlyCollection<TappedEvent> accepted,
        IReadOnlyCollection<TappedEvent> embedded, IReadOnlyCollection<TappedEvent> scored, IReadOnlyCollection<WebhookArrival> webhooks,
        IReadOnlyList<PipelineSample> samples, IReadOnlyDictionary<string, long> peakMemory)
    {
        var sent = published.ToDictionary(p => p.ListingId, p => p.FirstSentAt);
        var acceptedAt = First(accepted);
        var embeddedAt = First(embedded);
        var scoredAt = First(scored);
        var deliveredAt = webhooks.GroupBy(w => w.ListingId).ToDictionary(g => g.Key, g => g.Min(w => w.At));

        var scoredTimes = scoredAt.Where(s => sent.ContainsKey(s.Key)).Select(s => s.Value).Order().ToList();
        var steady = scoredTimes.Count >= 10
            ? 0.8 * scoredTimes.Count / (scoredTimes[(int)(scoredTimes.Count * 0.9) - 1] - scoredTimes[(int)(scoredTimes.Count * 0.1)]).TotalSeconds
            : double.NaN;
        return new LoadReport
        {
            Listings = scoredTimes.Count,
            OfferedRate = offeredRate,
            FirstSent = published.Count > 0 ? published.Min(p => p.FirstSentAt) : TimeSpan.Zero,
            LastScored = scoredTimes.Count > 0 ? scoredTimes[^1] : TimeSpan.Zero,
            SteadyRate = steady,
            Stages =
            [
                Stage("ingest (POST sent -> listing-accepted)", sent, acceptedAt),
                Stage("embed (listing-accepted -> listing-embedded)", acceptedAt, embeddedAt),
                Stage("score (listing-embedded -> listing-scored)", embeddedAt, scoredAt),
                Stage("notify (listing-scored -> first webhook)", scoredAt, deliveredAt),
                Stage("end to end (POST sent -> listing-scored)", sent, scoredAt),
                Stage("end to end (POST sent -> first webhook)", sent, deliveredAt),
            ],
            Samples = samples,
            PeakMemory = peakMemory,
            Webhooks = webhooks.Count,
        };
    }

    public string ToMarkdown(string machine)
    {
        var text = new StringBuilder();
        text.AppendLine(CultureInfo.InvariantCulture, $"{Listings:N0} listings scored, offered at {OfferedRate:0.#} listings/s; {Webhooks:N0} webhook requests; {machine}.");
        text.AppendLine();
        text.AppendLine("| measure | value |");
        text.AppendLine("|---|---:|");
        text.AppendLine(CultureInfo.InvariantCulture, $"| end to end, first POST to last listing scored | {EndToEndRate:0.0} listings/s |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| sustained (10th to 90th percentile of listings scored) | {SteadyRate:0.0} listings/s |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| peak queue depth (ready, all consumer queues) | {(Samples.Count > 0 ? Samples.Max(s => s.TotalDepth) : 0):N0} |");
        text.AppendLine(CultureInfo.InvariantCulture, $"| peak outbox backlog (all stores) | {(Samples.Count > 0 ? Samples.Max(s => s.TotalBacklog) : 0):N0} |");
        text.AppendLine();
        text.AppendLine("| stage | listings | p50 ms | p95 ms | p99 ms | max ms |");
        text.AppendLine("|---|---:|---:|---:|---:|---:|");
        foreach (var stage in Stages)
            text.AppendLine(CultureInfo.InvariantCulture, $"| {stage.Stage} | {stage.Count:N0} | {stage.P50:N0} | {stage.P95:N0} | {stage.P99:N0} | {stage.Max:N0} |");
        text.AppendLine();
        text.AppendLine("| process | peak resident memory |");
        text.AppendLine("|---|---:|");
        foreach (var (process, bytes) in PeakMemory.OrderBy(p => p.Key, StringComparer.Ordinal))
            text.AppendLine(CultureInfo.InvariantCulture, $"| {process} | {bytes / 1048576.0:N0} MiB |");
        return text.ToString();
    }

    public string ToCsv()
    {
        var queues = Samples.SelectMany(s => s.QueueDepths.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var stores = Samples.SelectMany(s => s.OutboxBacklog.Keys).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        var text = new StringBuilder();
        text.AppendLine(string.Join(',', new[] { "seconds", "published", "scored", "webhooks" }
            .Concat(queues.Select(q => $"depth:{q}")).Concat(stores.Select(s => $"outbox:{s}"))));
        foreach (var sample in Samples)
        {
            text.AppendLine(string.Join(',', new[]
                {
                    sample.At.TotalSeconds.ToString("0.0", CultureInfo.InvariantCulture),
                    sample.Published.ToString(CultureInfo.InvariantCulture), sample.Scored.ToString(CultureInfo.InvariantCulture),
                    sample.Webhooks.ToString(CultureInfo.InvariantCulture),
                }
                .Concat(queues.Select(q => sample.QueueDepths.GetValueOrDefault(q)?.ToString(CultureInfo.InvariantCulture) ?? ""))
                .Concat(stores.Select(s => sample.OutboxBacklog.GetValueOrDefault(s).ToString(CultureInfo.InvariantCulture)))));
        }

        return text.ToString();
    }

    /// <summary>Listings published and scored (left axis), queue depth and outbox backlog (right axis) over time; fault times as marks.</summary>
    public string ToSvg(string title, IReadOnlyList<InjectedFault> faults) =>
        TimelinePlot.Render(title, Samples, faults);

    private static Dictionary<Guid, TimeSpan> First(IReadOnlyCollection<TappedEvent> events) =>
        events.GroupBy(e => e.ListingId).ToDictionary(g => g.Key, g => g.Min(e => e.At));

    private static StageLatency Stage(string name, IReadOnlyDictionary<Guid, TimeSpan> from, IReadOnlyDictionary<Guid, TimeSpan> to)
    {
        var millis = from.Where(f => to.ContainsKey(f.Key)).Select(f => Math.Max(0, (to[f.Key] - f.Value).TotalMilliseconds)).Order().ToList();
        return millis.Count == 0
            ? new StageLatency(name, 0, double.NaN, double.NaN, double.NaN, double.NaN)
            : new StageLatency(name, millis.Count, Percentile(millis, 0.50), Percentile(millis, 0.95), Percentile(millis, 0.99), millis[^1]);
    }

    /// <summary>Nearest-rank percentile of sorted values.</summary>
    private static double Percentile(List<double> sorted, double p) => sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Count) - 1, 0, sorted.Count - 1)];
}
