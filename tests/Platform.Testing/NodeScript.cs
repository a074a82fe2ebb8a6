using System.Diagnostics;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// A Node.js script that a test runs (a non-.NET client, a headless browser), in a folder with its own
/// <c>package.json</c> whose dependencies <c>npm ci</c> installed (infra/scripts/test.sh does it). When node 20+, the
/// folder or its packages are missing, <see cref="Require"/> skips the test saying what to install, except when
/// <c>CI</c> is set: then it fails, as broker tests do.
/// </summary>
public sealed class NodeScript
{
    private NodeScript(string folder, string script)
    {
        Folder = folder;
        Script = script;
    }

    public string Folder { get; }
    public string Script { get; }

    /// <param name="testProject">e.g. <c>Interop.Tests</c>; the script lives in <c>tests/{testProject}/{subfolder}</c>.</param>
    /// <param name="package">An npm package the script imports, to tell whether <c>npm ci</c> ran.</param>
    /// <param name="otherMissing">What else the caller found missing (e.g. a browser binary).</param>
    public static NodeScript Require(string testProject, string subfolder, string script, string package, string purpose, params string[] otherMissing)
    {
        var folder = FindFolder(testProject, subfolder, script);
        var missing = new List<string>();
        if (folder is null)
            missing.Add($"tests/{testProject}/{subfolder} (not found above the test output)");
        else if (!File.Exists(Path.Combine(folder, "node_modules", package, "package.json")))
            missing.Add($"{package} (run `npm ci` in {folder})");
        if (NodeMajorVersion() is not { } major)
            missing.Add("node 20 or later");
        else if (major < 20)
            missing.Add($"node 20 or later (found node {major})");
        missing.AddRange(otherMissing);
        if (missing.Count > 0)
        {
            var reason = $"{purpose} needs " + string.Join(", ", missing);
            if (RabbitMqBroker.IsCi)
                Assert.Fail($"{reason}. CI={Environment.GetEnvironmentVariable("CI")} is set, so it fails instead of being skipped.");
            Assert.Skip(reason);
        }
        return new NodeScript(folder!, script);
    }

    /// <summary>Runs <c>node {script} {args}</c>, fails the test unless it exits 0, and returns its standard output.</summary>
    public async Task<string> RunAsync(TimeSpan timeout, CancellationToken ct, IReadOnlyDictionary<string, string?>? environment = null, params string[] args)
    {
        var start = new ProcessStartInfo("node") { WorkingDirectory = Folder, RedirectStandardOutput = true, RedirectStandardError = true };
        start.ArgumentList.Add(Script);
        foreach (var arg in args)
            start.ArgumentList.Add(arg);
        foreach (var (key, value) in environment ?? new Dictionary<string, string?>())
            start.Environment[key] = value;
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
        Assert.True(process.ExitCode == 0, $"node {Script} {string.Join(' ', args)} exited with {process.ExitCode}: {await stderr}\n{await stdout}");
        return await stdout;
    }

    private static string? FindFolder(string testProject, string subfolder, string script)
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            foreach (var candidate in new[] { Path.Combine(dir.FullName, subfolder), Path.Combine(dir.FullName, "tests", testProject, subfolder) })
                if (File.Exists(Path.Combine(candidate, script)))
                    return candidate;
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
