using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Platform.ComposeLocal;

namespace Reliability.Tests;

/// <summary>What a run produced: the ledger, the load report, the faults, and where the report files are.</summary>
public sealed record RunOutcome(Ledger Ledger, LoadReport Load, IReadOnlyList<InjectedFault> Faults, IReadOnlyDictionary<string, int> PublisherRetries,
    bool Drained, string ReportDirectory);

/// <summary>
/// One run of the harness: docker-compose.yml's four services as local processes (infra/compose-local) on a private
/// RabbitMQ node; webhook subscribers; listings published at a steady rate through <c>POST /listings</c> (and some on the
/// bus); faults when asked; then wait for the pipeline to drain and audit it.
/// </summary>
public static class PlatformRun
{
    private static readonly (string Interests, double Threshold)[] SubscriberProfiles =
    [
        ("Large language models: reasoning, instruction tuning, alignment and evaluation of chat assistants", 0.0),
        ("Image and video generation with diffusion models, text-to-image synthesis and editing", 0.1),
        ("Robot learning, manipulation and control policies learned from demonstrations", 0.15),
        ("Graph neural networks for molecules, proteins and drug discovery", 0.2),
        ("Speech recognition, speech synthesis and audio language models", 0.25),
    ];

    public static async Task<RunOutcome> ExecuteAsync(RunSettings settings, Func<FaultInjector, PlatformContext, IReadOnlyList<Fault>>? faultPlan,
        string name, CancellationToken ct)
    {
        var broker = await RabbitMqBroker.RequireAsync();
        Assert.SkipUnless(broker.IsPrivateNode || faultPlan is null,
            $"the fault suite kills and restarts the broker, so it needs a private node; {RabbitMqBroker.UrlVariable} points to a shared one");
        var busCount = faultPlan is null ? 0 : Math.Min(20, settings.Listings / 50);
        var papers = PaperListings.Take(settings.Listings);
        var viaHttp = papers.Take(papers.Count - busCount).ToList();
        var viaBus = papers.Skip(papers.Count - busCount).ToList();
        var report = settings.ReportDirectory ?? Directory.CreateTempSubdirectory($"reliability-{name}-").FullName;
        Directory.CreateDirectory(report);
        var log = new RunLog(Path.Combine(report, $"{name}.log"));
        // A virtual host of its own: queues are durable, so a run must not find another run's messages (or dead letters).
        var virtualHost = await broker.CreateVirtualHostAsync($"reliability-{name}", ct);
        var envFile = Path.Combine(report, $"{name}.env");
        await File.WriteAllTextAsync(envFile, $"RABBITMQ_VHOST={virtualHost}\n", ct);
        RunOutcome? outcome = null;

        await LocalRun.RunAsync(new LocalRunOptions
        {
            ComposeFile = Path.Combine(SharedData.RepositoryRoot, "docker-compose.yml"),
            EnvFiles = [Path.Combine(SharedData.RepositoryRoot, ".env.example"), envFile],
            UseProcessEnvironment = false,
            GenerateMissingSecrets = true,
            Broker = () => Task.FromResult(broker),
            Smoke = false,
            ReadyTimeout = TimeSpan.FromMinutes(3),
            Log = log.Write,
            KeepLogsIn = Path.Combine(report, $"{name}-services"),
            EnvironmentOverrides = new Dictionary<string, IReadOnlyDictionary<string, string>>
            {
                // The subscribers' webhooks are on loopback, which production refuses (SSRF).
                ["notification"] = new Dictionary<string, string> { ["Notification__AllowPrivateWebhookTargets"] = "true" },
            },
            WhileRunning = async (result, token) =>
            {
                using var linked = CancellationTokenSource.CreateLinkedTokenSource(ct, token);
                var context = new PlatformContext(result, broker, virtualHost, viaBus, log);
                outcome = await DriveAsync(context, settings, viaHttp, viaBus, faultPlan, name, report, linked.Token);
            },
        }, ct);

        return outcome ?? throw new InvalidOperationException("the run ended before it was driven");
    }

    private static async Task<RunOutcome> DriveAsync(PlatformContext platform, RunSettings settings, List<PaperListing> viaHttp, List<PaperListing> viaBus,
        Func<FaultInjector, PlatformContext, IReadOnlyList<Fault>>? faultPlan, string name, string report, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var amqp = platform.Broker.GetAmqpUri(platform.VirtualHost);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        await using var sink = await DeliverySink.StartAsync(clock);
        await using var tap = await EventTap.StartAsync(amqp, clock, ["listing-accepted", "listing-embedded", "listing-scored"], ct);
        var stores = platform.Stores;

        var thresholds = await RegisterSubscribersAsync(platform, http, sink, settings.Subscribers, ct);
        platform.Log.Write($"run: {thresholds.Count} webhook subscribers registered; their interest vectors are in scoring");

        var queues = (await DeadLetters.QueuesAsync(platform.Broker, platform.VirtualHost, ct)).Keys
            .Where(q => !DeadLetters.IsDeadLetterQueue(q) && !q.Contains('_', StringComparison.Ordinal) && !q.StartsWith("reliability-", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal).ToList();
        platform.Log.Write($"run: consumer queues {string.Join(", ", queues)}");

        var publisher = new ListingPublisher(http, platform.Url("ingestion"), platform.Result.PublisherKey, clock);
        var sampler = new PipelineSampler(tap, stores, queues, () => publisher.Done,
            () => tap.Events("listing-scored").Select(e => e.ListingId).Distinct().Count(), () => sink.Count, clock);
        using var stopSampling = new CancellationTokenSource();
        var sampling = sampler.RunAsync(stopSampling.Token);

        var injector = new FaultInjector(platform.Stack, platform.Broker, amqp, clock, platform.Log.Write);
        var faults = faultPlan?.Invoke(injector, platform) ?? [];
        var injecting = faults.Count == 0
            ? Task.CompletedTask
            : injector.RunAsync(faults, () => (double)publisher.Done / viaHttp.Count, ct);

        platform.Log.Write($"run: publishing {viaHttp.Count:N0} listings at {settings.Rate:0.#}/s{(viaBus.Count > 0 ? $", {viaBus.Count} more on the bus" : "")}");
        var publishing = publisher.RunAsync(viaHttp, settings.Rate, settings.PublisherConcurrency, ct);
        await Task.WhenAll(publishing, injecting);
        if (viaBus.Count > 0 && injector.BusSubmitted.Count == 0)
            throw new InvalidOperationException("the fault plan did not submit the bus listings (InjectDuplicatesAsync)");
        platform.Log.Write($"run: published in {clock.Elapsed.TotalSeconds:0.0} s; retries: {string.Join(", ", publisher.RetryReasons.Select(r => $"{r.Key} x{r.Value}"))}");

        var expected = publisher.Accepted.Count + injector.BusSubmitted.Count;
        var drained = await DrainAsync(platform, stores, tap, queues, expected, settings.DrainTimeout, ct);
        platform.Log.Write($"run: {(drained ? "drained" : "NOT drained")} at {clock.Elapsed.TotalSeconds:0.0} s");
        await stopSampling.CancelAsync();
        await sampling;

        var allQueues = await DeadLetters.QueuesAsync(platform.Broker, platform.VirtualHost, ct);
        var deadLetters = await DeadLetters.ReadAsync(amqp, allQueues.Keys.Where(DeadLetters.IsDeadLetterQueue), ct);
        var integrity = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var store in stores.Paths.Keys)
            integrity[store] = await stores.IntegrityCheckAsync(store);

        var ledger = Ledger.Check(new LedgerInput
        {
            Published = publisher.Accepted,
            Refused = publisher.Refused,
            BusSubmitted = injector.BusSubmitted,
            Listings = await stores.ListingsAsync(),
            Embedded = await stores.EmbeddedListingIdsAsync(),
            Scored = await stores.ScoredAsync(),
            Deliveries = await stores.DeliveriesAsync(),
            Thresholds = thresholds,
            AcceptedEvents = [.. tap.Events("listing-accepted")],
            EmbeddedEvents = [.. tap.Events("listing-embedded")],
            ScoredEvents = [.. tap.Events("listing-scored")],
            Webhooks = [.. sink.Arrivals],
            Poison = injector.Poison,
            DeadLetters = deadLetters,
            Integrity = integrity,
        });
        var load = LoadReport.Build(settings.Rate, [.. publisher.Accepted.Values], tap.Events("listing-accepted"),
            tap.Events("listing-embedded"), tap.Events("listing-scored"), sink.Arrivals, sampler.Samples, platform.Stack.PeakMemory());

        var machine = $"{Environment.ProcessorCount} cores, {Environment.OSVersion.VersionString}, .NET {Environment.Version}";
        await File.WriteAllTextAsync(Path.Combine(report, $"{name}-ledger.md"),
            $"{ledger.Summary}; deserved webhook deliveries {ledger.DeservedDeliveries:N0}, repeated webhook requests (same delivery id) {ledger.RepeatedWebhookRequests}\n\n{ledger.ToMarkdown()}\n\n"
            + "| fault | at | took | outcome |\n|---|---:|---:|---|\n"
            + string.Concat(injector.Injected.Select(f => string.Create(CultureInfo.InvariantCulture, $"| {f.Name} | {f.At.TotalSeconds:0.0} s | {f.Took.TotalSeconds:0.0} s | {f.Outcome} |\n")))
            + PoisonTable(injector.Poison, deadLetters)
            + $"\npublisher retries: {string.Join(", ", publisher.RetryReasons.Select(r => $"{r.Key} x{r.Value}"))}\n", ct);
        await File.WriteAllTextAsync(Path.Combine(report, $"{name}-load.md"), load.ToMarkdown(machine), ct);
        await File.WriteAllTextAsync(Path.Combine(report, $"{name}-timeline.csv"), load.ToCsv(), ct);
        await File.WriteAllTextAsync(Path.Combine(report, $"{name}-timeline.svg"),
            load.ToSvg($"{name}: {publisher.Accepted.Count:N0} listings at {settings.Rate:0.#}/s offered", injector.Injected), ct);
        platform.Log.Write($"run: ledger {ledger.Summary}; reports in {report}");
        return new RunOutcome(ledger, load, injector.Injected, publisher.RetryReasons.ToDictionary(), drained, report);
    }

    /// <summary>Where each poison message ended up, and the reason it carries there.</summary>
    private static string PoisonTable(IReadOnlyList<PoisonMessage> poison, IReadOnlyList<DeadLetter> letters) =>
        poison.Count == 0
            ? ""
            : "\n| poison | published to | found in | reason |\n|---|---|---|---|\n" + string.Concat(poison.Select(p =>
            {
                var found = letters.Where(l => l.MessageId == p.MessageId).ToList();
                var reason = string.Join("; ", found.Select(l => l.Reason)).Replace("|", "\\|", StringComparison.Ordinal).ReplaceLineEndings(" ");
                return $"| {p.Kind} | {p.Exchange} | {(found.Count == 0 ? "(nowhere)" : string.Join(", ", found.Select(l => l.Queue)))} | {(reason.Length > 160 ? reason[..160] + "..." : reason)} |\n";
            }));

    private static async Task<Dictionary<Guid, double>> RegisterSubscribersAsync(PlatformContext platform, HttpClient http, DeliverySink sink, int count,
        CancellationToken ct)
    {
        var thresholds = new Dictionary<Guid, double>();
        for (var i = 0; i < count; i++)
        {
            var (interests, threshold) = SubscriberProfiles[i % SubscriberProfiles.Length];
            using var response = await http.PostAsJsonAsync(new Uri(platform.Url("notification"), "subscribers"),
                new { webhookUrl = sink.Url(i).ToString(), interests, threshold, mode = "instant" }, ct);
            var body = await response.Content.ReadAsStringAsync(ct);
            Assert.True(response.StatusCode == HttpStatusCode.Created, $"POST /subscribers: {(int)response.StatusCode} {body}");
            thresholds[JsonDocument.Parse(body).RootElement.GetProperty("id").GetGuid()] = threshold;
        }

        var deadline = Stopwatch.StartNew();
        foreach (var id in thresholds.Keys)
        {
            while (true)
            {
                using var request = new HttpRequestMessage(HttpMethod.Get, new Uri(platform.Url("scoring"), $"subscriber-vectors/{id}"));
                request.Headers.Add("X-Api-Key", platform.Result.AdminKey);
                using var response = await http.SendAsync(request, ct);
                if (response.IsSuccessStatusCode)
                    break;
                Assert.True(deadline.Elapsed < TimeSpan.FromMinutes(2), $"subscriber {id}'s interest vector did not reach scoring: {(int)response.StatusCode}");
                await Task.Delay(250, ct);
            }
        }

        return thresholds;
    }

    /// <summary>
    /// Waits until every accepted listing is scored, no consumer queue holds a message, every outbox is empty and no
    /// delivery is pending, twice in a row (2 s apart); false when that does not happen within <paramref name="timeout"/>.
    /// </summary>
    private static async Task<bool> DrainAsync(PlatformContext platform, Stores stores, EventTap tap, IReadOnlyList<string> queues, int expected,
        TimeSpan timeout, CancellationToken ct)
    {
        var deadline = Stopwatch.StartNew();
        var quiet = 0;
        var last = "";
        while (deadline.Elapsed < timeout)
        {
            await Task.Delay(TimeSpan.FromSeconds(2), ct);
            try
            {
                var listings = await stores.CountAsync("ingestion", "SELECT COUNT(*) FROM listings");
                var scored = await stores.CountAsync("scoring", "SELECT COUNT(DISTINCT listing_id) FROM scored_listings");
                var pending = await stores.CountAsync("notification", "SELECT COUNT(*) FROM deliveries WHERE status = 'pending'");
                var backlog = (await stores.OutboxBacklogAsync()).Values.Sum();
                var depth = (await tap.DepthsAsync(queues, ct)).Values.Sum(v => v ?? 1);
                var status = $"listings {listings}/{expected}, scored {scored}, pending deliveries {pending}, outbox backlog {backlog}, queued {depth}";
                if (status != last)
                    platform.Log.Write($"drain: {status}");
                last = status;
                quiet = listings >= expected && scored >= listings && pending == 0 && backlog == 0 && depth == 0 ? quiet + 1 : 0;
                if (quiet >= 2)
                    return true;
            }
            catch (Microsoft.Data.Sqlite.SqliteException ex)
            {
                platform.Log.Write($"drain: store not readable ({ex.Message})");
            }
        }

        return false;
    }
}

/// <summary>The running platform as a fault plan and the harness see it.</summary>
public sealed class PlatformContext(LocalRunResult result, RabbitMqBroker broker, string virtualHost, IReadOnlyList<PaperListing> busListings, RunLog log)
{
    public string VirtualHost => virtualHost;

    /// <summary>The listings a fault plan submits on the bus (<c>listing-submitted</c>) instead of through <c>POST /listings</c>.</summary>
    public IReadOnlyList<PaperListing> BusListings => busListings;

    public LocalRunResult Result => result;

    public RabbitMqBroker Broker => broker;

    public RunLog Log => log;

    public LocalStack Stack => result.Stack!;

    public Stores Stores { get; } = new(new Dictionary<string, string>(StringComparer.Ordinal)
    {
        ["ingestion"] = Variable(result, "ingestion", "Ingestion__Database__Path"),
        ["embedding"] = Variable(result, "embedding", "Embedding__Database__Path"),
        ["scoring"] = Variable(result, "scoring", "Scoring__Database__Path"),
        ["notification"] = Variable(result, "notification", "Notification__Database__Path"),
    });

    public Uri Url(string service) => result.Services[service];

    private static string Variable(LocalRunResult result, string service, string name) =>
        result.Environments[service].Single(e => e.Key == name).Value;
}

/// <summary>The run's log: a file in the report folder and the test's output.</summary>
public sealed class RunLog(string file)
{
    private readonly object gate = new();

    public void Write(string line)
    {
        var stamped = $"{DateTime.UtcNow:HH:mm:ss.fff} {line}";
        lock (gate)
            File.AppendAllText(file, stamped + Environment.NewLine);
        TestContext.Current.TestOutputHelper?.WriteLine(stamped);
    }
}
