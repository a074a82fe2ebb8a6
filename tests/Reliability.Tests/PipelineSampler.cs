using System.Diagnostics;

namespace Reliability.Tests;

/// <summary>The pipeline at one moment: queue depths (ready messages), outbox backlogs, and how far listings got.</summary>
public sealed record PipelineSample(TimeSpan At, IReadOnlyDictionary<string, int?> QueueDepths, IReadOnlyDictionary<string, long> OutboxBacklog,
    int Published, int Scored, int Webhooks)
{
    public int TotalDepth => QueueDepths.Values.Sum(v => v ?? 0);

    /// <summary>False while the broker did not answer (restarting, killed): the depth of that second is unknown, not zero.</summary>
    public bool DepthKnown => QueueDepths.Count > 0 && QueueDepths.Values.All(v => v is not null);

    public long TotalBacklog => OutboxBacklog.Values.Sum();
}

/// <summary>Samples queue depths (AMQP passive declare) and outbox backlogs (the stores) once a second while a run goes.</summary>
public sealed class PipelineSampler(EventTap tap, Stores stores, IReadOnlyList<string> queues, Func<int> published, Func<int> scored,
    Func<int> webhooks, Stopwatch clock)
{
    private readonly List<PipelineSample> samples = [];

    public IReadOnlyList<PipelineSample> Samples
    {
        get
        {
            lock (samples)
                return [.. samples];
        }
    }

    public async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var at = clock.Elapsed;
            try
            {
                var depths = await tap.DepthsAsync(queues, ct);
                var backlog = await stores.OutboxBacklogAsync();
                lock (samples)
                    samples.Add(new PipelineSample(at, depths, backlog, published(), scored(), webhooks()));
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (ex is Microsoft.Data.Sqlite.SqliteException or IOException or InvalidOperationException)
            {
                // A store locked by a fault, a broker down: that second has no sample.
            }

            try
            {
                await Task.Delay(TimeSpan.FromSeconds(1) - (clock.Elapsed - at) is { Ticks: > 0 } rest ? rest : TimeSpan.Zero, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }
}
