using System.Collections.Concurrent;
using System.Diagnostics;
using System.Diagnostics.Metrics;
using System.Globalization;
using Dapper;
using MassTransit;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Platform.Contracts;
using Platform.Messaging;
using Platform.Scoring;

namespace Scoring.Benchmarks;

/// <summary>
/// <c>service [--subscribers 10000,100000] [--listings 2000] [--batch 1,64]</c>: the scoring service itself (its
/// consumer, SQLite store, inbox and outbox, on the in-memory bus) scoring a burst of <c>listing-embedded</c> messages,
/// once per subscriber count and batch size (<c>Scoring:Batch:MessageLimit</c>), in one run: listings/s end to end
/// (published → <c>listing-scored</c> received), latency percentiles and the mean batch the consumer saw.
/// </summary>
public static class ServiceBench
{
    private const int Dimension = 384;
    private const string ModelId = "sentence-transformers/all-MiniLM-L6-v2@onnx-fp32-v1";

    public static async Task<int> RunAsync(IReadOnlyDictionary<string, string> options)
    {
        var subscriberCounts = (options.GetValueOrDefault("subscribers") ?? "10000,100000").Split(',').Select(int.Parse).ToList();
        var batches = (options.GetValueOrDefault("batch") ?? "1,64").Split(',').Select(int.Parse).ToList();
        var listings = int.Parse(options.GetValueOrDefault("listings") ?? "2000", CultureInfo.InvariantCulture);
        Console.WriteLine($"# Scoring service benchmark  {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC");
        Console.WriteLine($"machine: {Environment.ProcessorCount} cores, {Environment.OSVersion}, .NET {Environment.Version}; TorchSharp CPU; " +
                          $"load average at start: {(File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Trim() : "?")}");
        Console.WriteLine($"{listings} random unit listings per configuration, published at once; Scoring:MatchFloor 0.2 (random vectors match a handful of subscribers)");
        Console.WriteLine();
        Console.WriteLine("| subscribers | batch limit | listings/s | p50 latency | p95 latency | p99 latency | mean batch | vs batch limit 1 |");
        Console.WriteLine("|---:|---:|---:|---:|---:|---:|---:|---:|");
        foreach (var subscribers in subscriberCounts)
        {
            double? single = null;
            foreach (var batch in batches)
            {
                var result = await RunOneAsync(subscribers, batch, listings);
                single ??= batch == 1 ? result.ListingsPerSecond : null;
                var ratio = single is { } s ? $"{result.ListingsPerSecond / s:F2}×" : "—";
                Console.WriteLine($"| {subscribers:N0} | {batch} | {result.ListingsPerSecond:F0} | {Ms(result.P50)} | {Ms(result.P95)} | {Ms(result.P99)} | {result.MeanBatch:F1} | {ratio} |");
            }
        }
        return 0;
    }

    private static string Ms(TimeSpan t) => $"{t.TotalMilliseconds:F0} ms";

    private sealed record Result(double ListingsPerSecond, TimeSpan P50, TimeSpan P95, TimeSpan P99, double MeanBatch);

    private static async Task<Result> RunOneAsync(int subscribers, int batch, int listings)
    {
        var directory = Directory.CreateTempSubdirectory("scoring-service-bench");
        try
        {
            var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, ApplicationName = "scoring-bench" });
            builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Messaging:Transport"] = "InMemory",
                ["Messaging:Outbox:PollInterval"] = "00:00:00.050",
                ["Scoring:Database:Path"] = Path.Combine(directory.FullName, "scoring.db"),
                ["Scoring:Batch:MessageLimit"] = batch.ToString(CultureInfo.InvariantCulture),
                ["Scoring:MatchFloor"] = "0.2",
            });
            builder.Logging.SetMinimumLevel(LogLevel.Warning);
            var arrivals = new Arrivals();
            builder.Services.AddSingleton(arrivals);
            builder.AddScoring();
            builder.AddMessaging(bus =>
            {
                bus.AddScoringConsumers();
                bus.AddConsumer<ArrivalConsumer>().Endpoint(e => e.Name = "bench-listing-scored");
            });
            using var host = builder.Build();
            await StoreSubscribersAsync(host.Services.GetRequiredService<ScoringDatabase>(), subscribers);

            var batchSizes = new ConcurrentBag<int>();
            using var listener = new MeterListener
            {
                InstrumentPublished = (instrument, l) =>
                {
                    if (instrument.Name == ScoringMetrics.BatchSizeName)
                        l.EnableMeasurementEvents(instrument);
                },
            };
            listener.SetMeasurementEventCallback<int>((_, value, _, _) => batchSizes.Add(value));
            listener.Start();

            await host.StartAsync();
            var bus = host.Services.GetRequiredService<IBus>();
            var random = new Random(subscribers + batch);
            await PublishAndWaitAsync(bus, arrivals, Enumerable.Range(0, 64).Select(_ => Listing(random)).ToList()); // warm-up
            batchSizes.Clear();

            var timed = Enumerable.Range(0, listings).Select(_ => Listing(random)).ToList();
            var stopwatch = Stopwatch.StartNew();
            var latencies = await PublishAndWaitAsync(bus, arrivals, timed);
            stopwatch.Stop();
            await host.StopAsync();

            latencies.Sort();
            TimeSpan Percentile(double p) => latencies[Math.Min(latencies.Count - 1, (int)(p * latencies.Count))];
            return new Result(listings / stopwatch.Elapsed.TotalSeconds, Percentile(0.50), Percentile(0.95), Percentile(0.99),
                batchSizes.IsEmpty ? 0 : batchSizes.Average());
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    private static async Task<List<TimeSpan>> PublishAndWaitAsync(IBus bus, Arrivals arrivals, List<ListingEmbedded> listings)
    {
        var sent = new Dictionary<Guid, long>();
        foreach (var listing in listings)
        {
            sent[listing.ListingId] = Stopwatch.GetTimestamp();
            await bus.Publish(listing);
        }
        var deadline = Stopwatch.StartNew();
        while (listings.Any(l => !arrivals.Times.ContainsKey(l.ListingId)))
        {
            if (deadline.Elapsed > TimeSpan.FromMinutes(10))
                throw new TimeoutException("listings were not scored within 10 minutes");
            await Task.Delay(20);
        }
        return [.. listings.Select(l => Stopwatch.GetElapsedTime(sent[l.ListingId], arrivals.Times[l.ListingId]))];
    }

    private static async Task StoreSubscribersAsync(ScoringDatabase database, int count)
    {
        var random = new Random(count);
        await using var uow = await database.BeginAsync();
        for (var i = 0; i < count; i++)
        {
            await uow.Connection.ExecuteAsync(
                "INSERT INTO subscriber_vectors (subscriber_id, model_id, dimension, vector, updated_at) VALUES (@Id, @ModelId, @Dimension, @Vector, @Now)",
                new { Id = Guid.NewGuid(), ModelId, Dimension, Vector = UnitVector(random), Now = DateTimeOffset.UtcNow }, uow.Transaction);
        }
        await uow.CommitAsync();
    }

    private static ListingEmbedded Listing(Random random) => new()
    {
        ListingId = NewId.NextGuid(),
        Title = "benchmark listing",
        ModelId = ModelId,
        Dimension = Dimension,
        Vector = UnitVector(random),
        ContentHash = Guid.NewGuid().ToString("N"),
        EmbeddedAt = DateTimeOffset.UtcNow,
    };

    private static float[] UnitVector(Random random)
    {
        var v = new float[Dimension];
        double sum = 0;
        for (var d = 0; d < Dimension; d++)
        {
            // Box–Muller: a Gaussian direction is uniform on the sphere.
            v[d] = (float)(Math.Sqrt(-2 * Math.Log(1 - random.NextDouble())) * Math.Cos(2 * Math.PI * random.NextDouble()));
            sum += v[d] * v[d];
        }
        var norm = (float)Math.Sqrt(sum);
        for (var d = 0; d < Dimension; d++)
            v[d] /= norm;
        return v;
    }

    public sealed class Arrivals
    {
        public ConcurrentDictionary<Guid, long> Times { get; } = new();
    }

    public sealed class ArrivalConsumer(Arrivals arrivals) : IConsumer<ListingScored>
    {
        public Task Consume(ConsumeContext<ListingScored> context)
        {
            arrivals.Times.TryAdd(context.Message.ListingId, Stopwatch.GetTimestamp());
            return Task.CompletedTask;
        }
    }
}
