using System.CommandLine;
using System.Globalization;
using Platform.Cli.Http;
using Spectre.Console;

namespace Platform.Cli.Commands;

/// <summary><c>platform tail</c>: follows scoring's cursor-paged feed of scored results.</summary>
public static class TailCommand
{
    private const int PageSize = 500;

    public static Command Create(CliApp app)
    {
        var fromStart = new Option<bool>("--from-start") { Description = "Start at the oldest result instead of the current end" };
        var interval = Duration.Option("--interval", TimeSpan.FromSeconds(1), "How long to wait before polling again when there is nothing new");
        var limit = new Option<int?>("--limit") { Description = "Stop after this many results (default: follow until Ctrl+C)", HelpName = "n" };
        var matches = new Option<int>("--matches") { Description = "Best matches shown per result", DefaultValueFactory = _ => 3, HelpName = "n" };
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--limit must be at least 1."); });

        var command = new Command("tail", "Follow scored results as scoring publishes them (GET /scored-listings?after=&limit=)")
        {
            fromStart, interval, limit, matches,
        };
        app.SetAction(command, async (ctx, ct) =>
        {
            var api = ctx.Api;
            var console = ctx.Console;
            var max = ctx.Get(limit);
            var top = Math.Max(0, ctx.Get(matches));
            var cursor = 0L;
            if (!ctx.Get(fromStart))
            {
                // The feed is oldest first: page to its end to find where "now" is.
                while (true)
                {
                    var page = await FetchAsync(api, cursor, PageSize, ct);
                    cursor = page.NextCursor;
                    if (page.Items.Count < PageSize)
                        break;
                }
            }
            console.MarkupLineInterpolated($"[grey]Following {PlatformApi.Combine(ctx.Settings.Scoring, "scored-listings")} {(ctx.Get(fromStart) ? "from the start" : $"after cursor {cursor}")}{(max is { } m ? $", stopping after {m} result(s)" : "; Ctrl+C to stop")}.[/]");

            var shown = 0;
            try
            {
                while (max is null || shown < max)
                {
                    var want = max is { } n ? Math.Min(PageSize, n - shown) : PageSize;
                    var page = await FetchAsync(api, cursor, want, ct);
                    foreach (var item in page.Items)
                    {
                        Print(console, item, top);
                        shown++;
                    }
                    cursor = page.NextCursor;
                    if (page.Items.Count == 0)
                        await Task.Delay(ctx.Get(interval), ct);
                }
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                console.MarkupLineInterpolated($"[grey]Stopped after {shown} result(s) at cursor {cursor}.[/]");
                return ExitCodes.Ok;
            }
            return ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<ScoredFeedPage> FetchAsync(PlatformApi api, long after, int limit, CancellationToken ct) =>
        (await api.GetAsync<ScoredFeedPage>(
            PlatformApi.Combine(api.Settings.Scoring, $"scored-listings?after={after.ToString(CultureInfo.InvariantCulture)}&limit={limit.ToString(CultureInfo.InvariantCulture)}"),
            "GET /scored-listings", ct))!;

    private static void Print(IAnsiConsole console, ScoredListing item, int top)
    {
        var best = (item.Matches ?? []).OrderByDescending(m => m.Score).Take(top)
            .Select(m => $"{ShortId.Of(m.SubscriberId)} {m.Score.ToString("0.000", CultureInfo.InvariantCulture)}").ToList();
        var matches = best.Count == 0 ? "[grey]no matches[/]" : string.Join(", ", best.Select(Markup.Escape));
        console.MarkupLine(
            $"[grey]{item.ScoredAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture)}[/] [bold]{Markup.Escape(item.Title)}[/]");
        console.MarkupLine(
            $"    [grey]listing[/] {item.ListingId}  [grey]model[/] {Markup.Escape(item.ModelVersion)}  [grey]best[/] {matches}" +
            (item.Matches is { Count: > 0 } all && all.Count > top ? $" [grey](+{all.Count - top} more)[/]" : ""));
    }
}
