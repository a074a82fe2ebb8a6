namespace Reliability.Tests;

/// <summary>
/// The load test on the same harness, without faults: sustained listings/s, latency per stage and end to end, queue
/// depth and outbox backlog over time, and each process's peak memory (reports in <c>RELIABILITY_REPORT_DIR</c>;
/// docs/performance.md has the numbers). It asserts the run is complete and the report sane, not a speed: speed targets
/// live in benchmarks, compared on one machine.
/// </summary>
public sealed class LoadTests
{
    [Fact]
    public async Task A_fault_free_stream_is_measured_end_to_end_and_nothing_is_lost()
    {
        // Offered faster than the embedder keeps up (about 57 listings/s on 2 cores), so the run measures capacity.
        var settings = RunSettings.FromEnvironment(defaultListings: 1000, defaultStream: TimeSpan.FromSeconds(10));

        var outcome = await PlatformRun.ExecuteAsync(settings, faultPlan: null, "load", TestContext.Current.CancellationToken);

        Assert.True(outcome.Drained, $"the pipeline did not drain; see {outcome.ReportDirectory}");
        Assert.True(outcome.Ledger.Passed, $"{outcome.Ledger.Summary}\n{outcome.Ledger.ToMarkdown()}");
        var load = outcome.Load;
        Assert.Equal(settings.Listings, load.Listings);
        // Every listing passes every stage up to its score; only those some subscriber deserved reach a webhook.
        Assert.All(load.Stages.Where(s => !s.Stage.Contains("webhook", StringComparison.Ordinal)), stage => Assert.Equal(settings.Listings, stage.Count));
        Assert.InRange(load.Stages.Single(s => s.Stage.StartsWith("notify", StringComparison.Ordinal)).Count, 1, settings.Listings);
        Assert.All(load.Stages, stage => Assert.True(stage.P50 <= stage.P95 && stage.P95 <= stage.P99 && stage.P99 <= stage.Max, stage.ToString()));
        Assert.True(load.EndToEndRate > 0);
        Assert.Equal(["embedding", "ingestion", "notification", "scoring"], load.PeakMemory.Keys.Order(StringComparer.Ordinal));
        Assert.All(load.PeakMemory.Values, bytes => Assert.True(bytes > 10 << 20, "a .NET service uses more than 10 MiB"));
        Assert.Contains(load.Samples, s => s.TotalDepth > 0);
    }
}
