using System.Diagnostics;
using System.Text.Json;

namespace Compose.Tests;

/// <summary>
/// docker-compose.yml checked by Compose itself (`docker compose config`, no engine needed) through
/// ../shared/tools/compose-config beside the checkout. Skipped, saying so, where the tool (or the Compose plugin it fetches) is not available.
/// </summary>
public sealed class ComposeConfigTests
{
    private static string Tool => Path.GetFullPath(Path.Combine(Repository.Root, "..", "shared", "tools", "compose-config"));

    [Fact]
    public async Task Compose_validates_the_file_with_env_example_values()
    {
        var env = Repository.ExampleValues();

        var result = await RunAsync(Repository.ComposeFile, env.Variables, []);

        Assert.True(result.ExitCode == 0, $"compose-config failed ({result.ExitCode}):\n{result.Output}");
        Assert.Contains("is valid", result.Output, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("cpu", "scoring", "scoring-gpu")]
    [InlineData("gpu", "scoring-gpu", "scoring")]
    public async Task Compose_enables_exactly_one_scoring_service_per_profile(string profile, string enabled, string disabled)
    {
        var env = Repository.ExampleValues(("COMPOSE_PROFILES", profile));

        var result = await RunAsync(Repository.ComposeFile, env.Variables, ["--services"]);

        Assert.True(result.ExitCode == 0, $"compose-config failed ({result.ExitCode}):\n{result.Output}");
        var services = result.Output.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
        Assert.Contains(enabled, services);
        Assert.DoesNotContain(disabled, services);
        Assert.Subset(services.ToHashSet(), new HashSet<string> { "rabbitmq", "otel", "mailpit", "ingestion", "embedding", "notification" });
    }

    [Fact]
    public async Task Compose_validates_the_file_without_any_env_file_and_its_check_stops_up_naming_each_missing_secret()
    {
        // A copy with .env.example as its .env (compose reads .env beside the file), so no .env of the checkout interferes.
        using var directory = new TempDirectory("compose-config");
        File.Copy(Repository.ComposeFile, directory.File("docker-compose.yml"));
        File.Copy(Repository.EnvExample, directory.File(".env"));

        var valid = await RunAsync(directory.File("docker-compose.yml"), new Dictionary<string, string>(), [], clearSecrets: true);
        var resolved = await RunAsync(directory.File("docker-compose.yml"), new Dictionary<string, string>(), ["--format", "json"], clearSecrets: true);

        Assert.True(valid.ExitCode == 0, $"compose-config failed ({valid.ExitCode}):\n{valid.Output}");
        // The check-secrets service's own script, as compose hands it to the container, run by a POSIX shell: with
        // .env.example's empty secrets it fails naming every one; with them filled in it passes.
        var service = JsonDocument.Parse(resolved.Output[resolved.Output.IndexOf('{')..]).RootElement.GetProperty("services").GetProperty("check-secrets");
        var script = service.GetProperty("command")[2].GetString()!.Replace("$$", "$", StringComparison.Ordinal);
        var empty = service.GetProperty("environment").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString() ?? "");
        var refused = await ShellAsync(script, empty);
        Assert.NotEqual(0, refused.ExitCode);
        Assert.All(Repository.RequiredSecrets, secret => Assert.Contains(secret, refused.Output, StringComparison.Ordinal));
        var filled = await ShellAsync(script, empty.ToDictionary(e => e.Key, _ => "0123abcd"));
        Assert.True(filled.ExitCode == 0, filled.Output);
    }

    private static async Task<(int ExitCode, string Output)> ShellAsync(string script, IReadOnlyDictionary<string, string> environment)
    {
        var startInfo = new ProcessStartInfo("sh") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add("-c");
        startInfo.ArgumentList.Add(script);
        startInfo.Environment.Clear();
        startInfo.Environment["PATH"] = "/usr/bin:/bin";
        foreach (var (key, value) in environment)
            startInfo.Environment[key] = value;
        using var process = Process.Start(startInfo)!;
        var output = await process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken)
                     + await process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, output);
    }

    private static async Task<(int ExitCode, string Output)> RunAsync(string file, IReadOnlyDictionary<string, string> variables,
        string[] arguments, bool clearSecrets = false)
    {
        // ../shared is the kit beside the checkout, like ../shared/data: where it is absent the test says so and skips
        // (shown in the summary as skipped), on CI too, rather than failing a run for something outside the repository.
        if (!File.Exists(Tool))
            Assert.Skip($"compose-config is not available here ({Tool} is missing), so docker-compose.yml is not validated by it");

        var startInfo = new ProcessStartInfo(Tool) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        startInfo.ArgumentList.Add(file);
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        // The variables go in through the environment, which compose puts above any .env file.
        foreach (var (key, value) in variables)
        {
            startInfo.Environment[key] = value;
        }

        if (clearSecrets)
        {
            foreach (var secret in Repository.RequiredSecrets.Append("COMPOSE_PROFILES"))
            {
                startInfo.Environment.Remove(secret);
            }
        }

        using var process = Process.Start(startInfo)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        timeout.CancelAfter(TimeSpan.FromMinutes(3));
        await process.WaitForExitAsync(timeout.Token);
        var output = await stdout + await stderr;
        if (process.ExitCode == 3)
            Assert.Skip($"compose-config could not fetch the Compose plugin from Debian's archive here: {output.Trim()}");

        return (process.ExitCode, output);
    }
}
