using System.Diagnostics;
using System.Text.Json;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>
/// Runs <c>browser/flow.mjs</c> (playwright-core driving Debian's headless chromium). Needs <c>node</c>, <c>chromium</c>
/// (or <c>CHROMIUM_PATH</c>) and <c>npm ci</c> in <c>tests/Notification.Tests/browser</c>. When something is missing the
/// test is skipped, saying what to install, except when <c>CI</c> is set: then it fails (as broker tests do).
/// </summary>
internal static class BrowserTool
{
    public sealed record Step(string Action, string Url, int? Status, string? Heading, string Text);

    public static string Require()
    {
        var folder = FindFolder();
        var missing = new List<string>();
        if (folder is null)
            missing.Add("tests/Notification.Tests/browser (not found above the test output)");
        else if (!File.Exists(Path.Combine(folder, "node_modules", "playwright-core", "package.json")))
            missing.Add($"playwright-core (run `npm ci` in {folder})");
        if (FindOnPath("node") is null)
            missing.Add("node 20 or later");
        else if (NodeMajorVersion() is { } major && major < 20)
            missing.Add($"node 20 or later (playwright-core needs it; found node {major})");
        if (Chromium() is null)
            missing.Add("chromium (apt-get install -y chromium, or set CHROMIUM_PATH)");
        if (missing.Count > 0)
        {
            var reason = "Browser test needs " + string.Join(", ", missing);
            if (RabbitMqBroker.IsCi)
                Assert.Fail($"{reason}. CI={Environment.GetEnvironmentVariable("CI")} is set, so the browser test fails instead of being skipped.");
            Assert.Skip(reason);
        }
        return folder!;
    }

    public static async Task<IReadOnlyList<Step>> RunAsync(string folder, CancellationToken ct, params string[] args)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("flow.mjs");
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        start.Environment["CHROMIUM_PATH"] = Chromium();
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(TimeSpan.FromSeconds(90));
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"node flow.mjs {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}\n{await stdout}");
        var result = JsonDocument.Parse(await stdout).RootElement.GetProperty("steps");
        return result.Deserialize<List<Step>>(JsonSerializerOptions.Web)!;
    }

    private static int? NodeMajorVersion()
    {
        try
        {
            using var node = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
            var version = node.StandardOutput.ReadToEnd().Trim().TrimStart('v');
            node.WaitForExit(10_000);
            return int.TryParse(version.Split('.')[0], out var major) ? major : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
    }

    private static string? Chromium() =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured && File.Exists(configured)
            ? configured
            : FindOnPath("chromium") ?? FindOnPath("chromium-browser");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);

    private static string? FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            foreach (var candidate in new[] { Path.Combine(dir.FullName, "browser"), Path.Combine(dir.FullName, "tests", "Notification.Tests", "browser") })
            {
                if (File.Exists(Path.Combine(candidate, "flow.mjs")))
                    return candidate;
            }
        }
        return null;
    }
}
