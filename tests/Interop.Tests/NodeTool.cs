using System.Diagnostics;

namespace Interop.Tests;

/// <summary>
/// Runs <c>node/interop.mjs</c> (amqplib). Needs <c>node</c> 20+ and <c>npm ci</c> in <c>tests/Interop.Tests/node</c>
/// (infra/scripts/test.sh does it). When either is missing the test is skipped, saying what to install, except when
/// <c>CI</c> is set: then it fails, as broker tests do.
/// </summary>
internal static class NodeTool
{
    public static string Require()
    {
        var folder = FindFolder();
        var missing = new List<string>();
        if (folder is null)
            missing.Add("tests/Interop.Tests/node (not found above the test output)");
        else if (!File.Exists(Path.Combine(folder, "node_modules", "amqplib", "package.json")))
            missing.Add($"amqplib (run `npm ci` in {folder})");
        if (NodeMajorVersion() is not { } major)
            missing.Add("node 20 or later");
        else if (major < 20)
            missing.Add($"node 20 or later (found node {major})");
        if (missing.Count > 0)
        {
            var reason = "The Node.js interop test needs " + string.Join(", ", missing);
            if (RabbitMqBroker.IsCi)
                Assert.Fail($"{reason}. CI={Environment.GetEnvironmentVariable("CI")} is set, so it fails instead of being skipped.");
            Assert.Skip(reason);
        }
        return folder!;
    }

    public static async Task<string> RunAsync(string folder, TimeSpan timeout, CancellationToken ct, params string[] args)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add("interop.mjs");
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(ct);
        limit.CancelAfter(timeout);
        try
        {
            await process.WaitForExitAsync(limit.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }
        Assert.True(process.ExitCode == 0, $"node interop.mjs exited with {process.ExitCode}: {await stderr}\n{await stdout}");
        return await stdout;
    }

    private static string? FindFolder()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "tests", "Interop.Tests", "node");
            if (File.Exists(Path.Combine(candidate, "interop.mjs")))
                return candidate;
        }
        return null;
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
}
