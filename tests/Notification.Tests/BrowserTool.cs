using System.Text.Json;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>
/// Runs <c>browser/flow.mjs</c> (playwright-core driving Debian's headless chromium). Needs <c>node</c>, <c>chromium</c>
/// (or <c>CHROMIUM_PATH</c>) and <c>npm ci</c> in <c>tests/Notification.Tests/browser</c>; see <see cref="NodeScript"/>
/// for what happens when something is missing.
/// </summary>
internal static class BrowserTool
{
    public sealed record Step(string Action, string Url, int? Status, string? Heading, string Text);

    public static NodeScript Require() =>
        NodeScript.Require("Notification.Tests", "browser", "flow.mjs", "playwright-core", "The browser test",
            Chromium() is null ? ["chromium (apt-get install -y chromium, or set CHROMIUM_PATH)"] : []);

    public static async Task<IReadOnlyList<Step>> RunAsync(NodeScript flow, CancellationToken ct, params string[] args)
    {
        var output = await flow.RunAsync(TimeSpan.FromSeconds(90), ct, new Dictionary<string, string?> { ["CHROMIUM_PATH"] = Chromium() }, args);
        return JsonDocument.Parse(output).RootElement.GetProperty("steps").Deserialize<List<Step>>(JsonSerializerOptions.Web)!;
    }

    private static string? Chromium() =>
        Environment.GetEnvironmentVariable("CHROMIUM_PATH") is { Length: > 0 } configured && File.Exists(configured)
            ? configured
            : FindOnPath("chromium") ?? FindOnPath("chromium-browser");

    private static string? FindOnPath(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(dir => Path.Combine(dir, name)).FirstOrDefault(File.Exists);
}
