using System.Net.Http.Json;
using System.Text.Json;
using Platform.Cli.Http;
using Platform.Cli.Import;

namespace Cli.Tests;

/// <summary><c>platform import</c> against the real services (all four modules in one host, in-memory bus).</summary>
public sealed class ImportTests(PlatformHost platform) : IClassFixture<PlatformHost>, IDisposable
{
    private readonly TempDirectory _temp = new("cli-import");

    public void Dispose() => _temp.Dispose();

    private string Write(string name, string text)
    {
        var path = _temp.File(name);
        File.WriteAllText(path, text);
        return path;
    }

    private static ImportState State(string file) =>
        JsonSerializer.Deserialize<ImportState>(File.ReadAllText(file + ".import-state.json"), PlatformApi.Json)!;

    [Fact]
    public async Task Imports_the_daily_papers_sample_then_a_rerun_sends_nothing_and_restart_finds_them_accepted()
    {
        var sample = SharedData.RequireFile("daily-papers-sample.jsonl");
        var file = _temp.File("daily-papers-sample.jsonl");
        File.Copy(sample, file);
        var lines = File.ReadLines(file).Count(l => l.Trim().Length > 0);

        var run = await Cli.RunAsync(platform.BaseAddress, "import", file, "--concurrency", "4");

        Assert.True(run.ExitCode == 0, run.ToString());
        var state = State(file);
        Assert.Equal((lines, lines, "jsonl"), (state.Total, state.Completed, state.Format));
        Assert.Equal(lines, state.Counts.Created + state.Counts.AlreadyAccepted);
        Assert.Contains("Import summary", run.Output);
        Assert.Contains($"all {lines} listing(s)", run.Output);

        var again = await Cli.RunAsync(platform.BaseAddress, "import", file);
        Assert.Equal(0, again.ExitCode);
        Assert.Contains("nothing to send", again.Output);

        var restart = await Cli.RunAsync(platform.BaseAddress, "import", file, "--restart");
        Assert.True(restart.ExitCode == 0, restart.ToString());
        Assert.Matches(@"already accepted \(200\)\s*│\s*" + lines, restart.Output);
    }

    [Fact]
    public async Task Resumes_after_the_completed_items_of_an_interrupted_run()
    {
        var source = $"resume-{Guid.NewGuid():N}";
        var file = Write("resume.jsonl", Samples.Jsonl(source, 10));
        // What an interrupted run leaves: the first six were answered.
        new ImportState { File = file, Format = "jsonl", Total = 10, Completed = 6 }.Save(file + ".import-state.json");

        var run = await Cli.RunAsync(platform.BaseAddress, "import", file);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("Resuming at listing 7 of 10", run.Output);
        Assert.Matches(@"created \(201\)\s*│\s*4\b", run.Output);
        Assert.Equal(10, State(file).Completed);

        // The first six were never sent: a full re-send creates them now and finds the last four accepted.
        var restart = await Cli.RunAsync(platform.BaseAddress, "import", file, "--restart");
        Assert.Matches(@"created \(201\)\s*│\s*6\b", restart.Output);
        Assert.Matches(@"already accepted \(200\)\s*│\s*4\b", restart.Output);
    }

    [Fact]
    public async Task Ctrl_c_keeps_the_progress_and_the_rerun_continues_from_it()
    {
        var source = $"cancel-{Guid.NewGuid():N}";
        const int total = 200;
        var file = Write("cancel.jsonl", Samples.Jsonl(source, total));
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var stateFile = file + ".import-state.json";
        var watcher = Task.Run(async () =>
        {
            while (!cts.IsCancellationRequested)
            {
                try
                {
                    if (File.Exists(stateFile) && State(file).Completed >= 1)
                    {
                        await cts.CancelAsync();
                        return;
                    }
                }
                catch (Exception ex) when (ex is IOException or JsonException)
                {
                }
                await Task.Delay(5, TestContext.Current.CancellationToken);
            }
        }, TestContext.Current.CancellationToken);

        var run = await Cli.RunAsync(platform.BaseAddress, ["import", file, "--concurrency", "1"], cancellationToken: cts.Token);
        await watcher;

        if (run.ExitCode == 0)
            Assert.Skip("The import finished before it could be interrupted (a very fast machine).");
        Assert.True(run.ExitCode == 130, run.ToString());
        Assert.Contains("Interrupted", run.Output);
        var completed = State(file).Completed;
        Assert.InRange(completed, 1, total - 1);

        var rerun = await Cli.RunAsync(platform.BaseAddress, "import", file);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        Assert.Contains($"Resuming at listing {completed + 1} of {total}", rerun.Output);
        Assert.Equal(total, State(file).Completed);
    }

    [Fact]
    public async Task Invalid_conflicting_and_unreadable_items_are_counted_and_explained()
    {
        var source = $"refused-{Guid.NewGuid():N}";
        var file = Write("refused.jsonl", $$"""
            {"source":"{{source}}","externalId":"ok-1","title":"A fine listing about protein folding"}
            {"source":"{{source}}","externalId":"no-title"}
            {"source":"{{source}}","externalId":"ok-1","title":"The same id with another title"}
            {"source":"{{source}}","externalId":"bad-url","title":"Bad link","url":"ftp://example.org/x"}
            this is not json
            """);

        var run = await Cli.RunAsync(platform.BaseAddress, "import", file, "--concurrency", "1");

        Assert.True(run.ExitCode == 3, run.ToString());
        Assert.Matches(@"created \(201\)\s*│\s*1\b", run.Output);
        Assert.Matches(@"conflict \(409\)\s*│\s*1\b", run.Output);
        Assert.Matches(@"invalid \(400\)\s*│\s*3\b", run.Output);
        Assert.Contains("title: Is required.", run.Output);
        Assert.Contains("url: Must be an absolute http or https URL.", run.Output);
        Assert.Contains("already accepted", run.Output);
        Assert.Contains("line 5: not valid JSON", run.Output);
        Assert.Equal(5, State(file).Completed);
    }

    [Fact]
    public async Task Imports_an_arxiv_api_response()
    {
        var ids = new[] { $"2601.{Random.Shared.Next(10000, 99999)}", $"2601.{Random.Shared.Next(10000, 99999)}" };
        var file = Write("arxiv.xml", Samples.ArxivResponse(ids));

        var run = await Cli.RunAsync(platform.BaseAddress, "import", file, "--source", $"arxiv-{Guid.NewGuid():N}");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("(arxiv, 2 listing(s))", run.Output);
        Assert.Matches(@"created \(201\)\s*│\s*2\b", run.Output);
    }

    [Fact]
    public async Task An_unreachable_ingestion_fails_after_the_retries_and_keeps_the_items_for_the_rerun()
    {
        var file = Write("unreachable.jsonl", Samples.Jsonl("nowhere", 3));
        var closed = new Uri($"http://127.0.0.1:{FreePort.Next()}");

        var run = await Cli.RunAsync(closed, "import", file, "--retries", "2", "--concurrency", "1");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Matches(@"failed\s*│\s*3\b", run.Output);
        Assert.Contains("Cannot reach", run.Output);
        Assert.Contains("after 3 attempt(s)", run.Output);
        Assert.Equal(0, State(file).Completed);
    }

    [Fact]
    public async Task A_missing_publisher_key_stops_the_import_with_the_reason()
    {
        const string key = "publisher-key-for-cli-tests";
        var hash = Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));
        using var data = new TempDirectory("cli-keys");
        await using var host = await TestServiceHost.StartAsync("ingestion", new Dictionary<string, string?>
            {
                ["Messaging:Transport"] = "InMemory",
                ["Ingestion:Database:Path"] = data.File("ingestion.db"),
                ["Access:PublisherKeys:0:Name"] = "cli-test",
                ["Access:PublisherKeys:0:Sha256"] = hash,
                ["Logging:LogLevel:Default"] = "Warning",
            },
            b => { Platform.ServiceDefaults.ServiceDefaultsExtensions.AddServiceDefaults(b); Platform.Ingestion.IngestionModule.AddIngestion(b); Platform.Messaging.MessagingRegistration.AddMessaging(b, bus => Platform.Ingestion.IngestionModule.AddIngestionConsumers(bus)); },
            a => { Platform.ServiceDefaults.ServiceDefaultsExtensions.MapDefaultEndpoints(a); Platform.Ingestion.IngestionModule.MapIngestion(a); });
        var file = Write("keys.jsonl", Samples.Jsonl("keys", 3));

        var refused = await Cli.RunAsync(host.BaseAddress, "import", file);
        Assert.True(refused.ExitCode == 1, refused.ToString());
        Assert.Contains("HTTP 401", refused.Output);
        Assert.Equal(0, State(file).Completed);

        var accepted = await Cli.RunAsync(host.BaseAddress, ["import", file], new Dictionary<string, string> { ["PLATFORM_API_KEY"] = key });
        Assert.True(accepted.ExitCode == 0, accepted.ToString());
        Assert.Matches(@"created \(201\)\s*│\s*3\b", accepted.Output);
    }
}
