using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Microsoft.Data.Sqlite;
using Platform.Scoring.Registry;
using Platform.Scoring.Rewards;
using Spectre.Console.Testing;

namespace Cli.Tests;

/// <summary>
/// tail, journey, rescore and backup against the four real services in one host (in-memory bus, real embedding model,
/// real TorchSharp scoring), with one email subscriber so that scored listings have matches and deliveries.
/// </summary>
public sealed class OperationsTests(PlatformHost platform) : IClassFixture<PlatformHost>
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(90);
    private static CancellationToken Ct => TestContext.Current.CancellationToken;
    private HttpClient Http => platform.Host.Client;

    private async Task<Guid> SubscribeAsync()
    {
        var response = await Http.PostAsJsonAsync("/subscribers",
            new { email = $"ops-{Guid.NewGuid():N}@example.org", interests = "graph neural networks for molecules and chemistry", threshold = -1.0 }, Ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(Ct));
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, Ct)).GetProperty("id").GetGuid();
        // Scoring knows the subscriber once embedding has sent its interest vector.
        await UntilAsync(async () => (await Http.GetAsync($"/subscriber-vectors/{id}", Ct)).IsSuccessStatusCode, "subscriber vector");
        return id;
    }

    private async Task<Guid> PostListingAsync(string title)
    {
        var response = await Http.PostAsJsonAsync("/listings", new
        {
            source = "cli-ops",
            externalId = Guid.NewGuid().ToString("N"),
            title,
            @abstract = $"{title}. We propose a message passing network that predicts molecular properties.",
        }, Ct);
        Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        return (await response.Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, Ct)).GetProperty("id").GetGuid();
    }

    private async Task WaitScoredAsync(Guid listingId) =>
        await UntilAsync(async () => (await Http.GetAsync($"/scored-listings/{listingId}", Ct)).IsSuccessStatusCode, $"scored result of {listingId}");

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        var deadline = DateTime.UtcNow + Patience;
        while (!await condition())
        {
            if (DateTime.UtcNow > deadline)
                Assert.Fail($"No {what} within {Patience}.");
            await Task.Delay(100, Ct);
        }
    }

    [Fact]
    public async Task Tail_prints_results_from_the_start_and_follows_new_ones()
    {
        var subscriber = await SubscribeAsync();
        var first = await PostListingAsync("Equivariant graph networks for molecular dynamics");
        await WaitScoredAsync(first);

        var fromStart = await Cli.RunAsync(platform.BaseAddress, "tail", "--from-start", "--limit", "1");
        Assert.True(fromStart.ExitCode == 0, fromStart.ToString());
        Assert.Contains("from the start", fromStart.Output);
        Assert.Contains("model rewards-v1", fromStart.Output);

        // Follow from the current end: only what is scored after the start shows up.
        var console = new TestConsole();
        var follow = Cli.RunAsync(platform.BaseAddress, ["tail", "--limit", "1", "--interval", "100ms"], console: console);
        await UntilAsync(() => Task.FromResult(console.Output.Contains("Following")), "tail start");
        var second = await PostListingAsync("Diffusion models that generate drug-like molecules");
        var run = await follow.WaitAsync(Patience, Ct);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Diffusion models that generate drug-like molecules", run.Output);
        Assert.DoesNotContain("Equivariant graph networks", run.Output);
        Assert.Contains($"listing {second}", run.Output);
        Assert.Contains(subscriber.ToString("N")[^8..], run.Output);
    }

    [Fact]
    public async Task Journey_shows_every_stage_with_its_time_and_pending_ones_as_pending()
    {
        await SubscribeAsync();
        var listing = await PostListingAsync("Message passing networks for molecular property prediction");
        await WaitScoredAsync(listing);

        var run = await Cli.RunAsync(platform.BaseAddress, "journey", listing.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Message passing networks for molecular property prediction", run.Output);
        Assert.Matches(@"ingestion\s*│\s*accepted", run.Output);
        Assert.Matches(@"embedding\s*│\s*embedded\s*│\s*(\d{4}-\d\d-\d\d )?\d\d:\d\d:\d\d\.\d{3}\s*│\s*\+", run.Output);
        Assert.Contains("sentence-transformers/all-MiniLM-L6-v2", run.Output);
        Assert.Matches(@"scoring\s*│\s*scored", run.Output);
        Assert.Matches(@"notification( \(email\))?\s*│\s*(pending|delivered|sent|queued|sending)", run.Output);

        var unknown = await Cli.RunAsync(platform.BaseAddress, "journey", Guid.NewGuid().ToString());
        Assert.Equal(1, unknown.ExitCode);
        Assert.Contains("is not known to ingestion", unknown.Output);
    }

    [Fact]
    public async Task Journey_of_a_listing_not_yet_embedded_shows_the_later_stages_as_pending()
    {
        // Ingestion alone: the other services answer nothing for this listing yet.
        using var data = new TempDirectory("cli-journey");
        await using var ingestion = await TestServiceHost.StartAsync("ingestion", new Dictionary<string, string?>
            {
                ["Messaging:Transport"] = "InMemory",
                ["Ingestion:Database:Path"] = data.File("ingestion.db"),
                ["Logging:LogLevel:Default"] = "Warning",
            },
            b => { Platform.ServiceDefaults.ServiceDefaultsExtensions.AddServiceDefaults(b); Platform.Ingestion.IngestionModule.AddIngestion(b); Platform.Messaging.MessagingRegistration.AddMessaging(b, bus => Platform.Ingestion.IngestionModule.AddIngestionConsumers(bus)); },
            a => { Platform.ServiceDefaults.ServiceDefaultsExtensions.MapDefaultEndpoints(a); Platform.Ingestion.IngestionModule.MapIngestion(a); });
        var response = await ingestion.Client.PostAsJsonAsync("/listings", new { source = "cli-ops", externalId = "lonely", title = "A listing nobody embedded" }, Ct);
        var id = (await response.Content.ReadFromJsonAsync<JsonElement>(JsonSerializerOptions.Web, Ct)).GetProperty("id").GetGuid();

        // The other stages' URLs point at the full platform host, which never saw this listing.
        var run = await Cli.RunAsync(platform.BaseAddress, "journey", id.ToString(), "--ingestion-url", ingestion.BaseAddress.ToString());

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Matches(@"embedding\s*│\s*pending", run.Output);
        Assert.Matches(@"scoring\s*│\s*pending", run.Output);
        Assert.Matches(@"notification\s*│\s*pending", run.Output);
    }

    [Fact]
    public async Task Rescore_queues_the_listing_for_the_new_model_version_and_waits_for_its_result()
    {
        await SubscribeAsync();
        var listing = await PostListingAsync("Contrastive pretraining of molecular graph encoders");
        await WaitScoredAsync(listing);

        // A newly trained quality model becomes active: the stored listing has no result from it yet.
        var random = new Random(7);
        float[] Vector() => PreferenceLearner.Unit([.. Enumerable.Range(0, 384).Select(_ => (float)(random.NextDouble() - 0.5))]);
        var feedback = Enumerable.Range(0, 30).Select(i => new ListingFeedback(Vector(), i % 2 == 0 ? 3 : 0, i % 2 == 0 ? 0 : 3)).ToList();
        using var model = QualityModel.Fit(feedback, new QualityTrainingOptions())!;
        var version = await platform.Host.GetRequiredService<ModelRegistry>().RegisterAndActivateAsync(model, "trained", new Dictionary<string, double>(), Ct);

        var run = await Cli.RunAsync(platform.BaseAddress, "rescore", "--listing", listing.ToString(), "--wait", "--timeout", "90s", "--interval", "200ms");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"Queued 1 listing(s) for re-scoring with model version rewards-v1+{version}", run.Flat);
        Assert.Matches($@"{listing}\s*│\s*\d{{4}}-", run.Output);
        var results = await Http.GetFromJsonAsync<JsonElement>($"/scored-listings/{listing}", JsonSerializerOptions.Web, Ct);
        Assert.Contains(results.EnumerateArray(), r => r.GetProperty("modelVersion").GetString() == $"rewards-v1+{version}");

        var again = await Cli.RunAsync(platform.BaseAddress, "rescore", "--listing", listing.ToString());
        Assert.Contains("Queued 0 listing(s)", again.Output);
    }

    [Fact]
    public async Task Backup_writes_each_database_and_checks_its_integrity()
    {
        await PostListingAsync("A listing so that the stores are not empty");
        using var output = new TempDirectory("cli-backup");

        var run = await Cli.RunAsync(platform.BaseAddress, "backup", "--out", output.Path);

        Assert.True(run.ExitCode == 0, run.ToString());
        var files = Directory.GetFiles(output.Path).Select(Path.GetFileName).Order().ToList();
        Assert.Equal(4, files.Count);
        foreach (var (database, file) in new[] { "embedding", "ingestion", "notification", "scoring" }.Zip(files))
        {
            Assert.Matches($@"^{database}-\d{{8}}T\d{{6}}Z\.db$", file);
            Assert.Matches($@"{database}\s*│\s*{file!.Replace(".", @"\.")}\s*│\s*[\d.]+ (B|KiB|MiB)\s*│\s*ok", run.Output);
        }
        using (var connection = new SqliteConnection($"Data Source={Path.Combine(output.Path, files.Single(f => f!.StartsWith("ingestion", StringComparison.Ordinal))!)};Mode=ReadOnly;Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT count(*) FROM listings";
            Assert.True((long)command.ExecuteScalar()! >= 1);
        }

        var one = await Cli.RunAsync(platform.BaseAddress, "backup", "--out", output.File("one"), "--service", "scoring");
        Assert.True(one.ExitCode == 0, one.ToString());
        Assert.Single(Directory.GetFiles(output.File("one")), f => Path.GetFileName(f).StartsWith("scoring-", StringComparison.Ordinal));

        var wrong = await Cli.RunAsync(platform.BaseAddress, "backup", "--out", output.File("x"), "--service", "everything");
        Assert.NotEqual(0, wrong.ExitCode);
    }
}
