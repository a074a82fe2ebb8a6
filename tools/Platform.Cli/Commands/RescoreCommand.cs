using System.CommandLine;
using System.Globalization;
using Platform.Cli.Http;
using Spectre.Console;

namespace Platform.Cli.Commands;

/// <summary><c>platform rescore</c>: asks scoring to score stored listings again with the active reward models.</summary>
public static class RescoreCommand
{
    public static Command Create(CliApp app)
    {
        var listings = new Option<Guid[]>("--listing") { Description = "A listing to re-score (repeatable); default: every stored listing (see --since, --limit)", HelpName = "id", AllowMultipleArgumentsPerToken = true };
        var since = new Option<DateTimeOffset?>("--since")
        {
            Description = "Only listings scoring received since this time (ISO 8601, UTC unless an offset is given: 2025-06-01, 2025-06-01T12:00:00Z)",
            HelpName = "datetime",
            CustomParser = r =>
            {
                var text = r.Tokens.Count > 0 ? r.Tokens[0].Value : "";
                if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var value))
                    return value;
                r.AddError($"--since: '{text}' is not a date or time (e.g. 2025-06-01 or 2025-06-01T12:00:00Z).");
                return null;
            },
        };
        var limit = new Option<int?>("--limit") { Description = "At most this many listings (the service's default: 1000)", HelpName = "n" };
        var wait = new Option<bool>("--wait") { Description = "With --listing: wait until each has a result from the new model version" };
        var timeout = Duration.Option("--timeout", TimeSpan.FromMinutes(5), "How long --wait waits");
        var interval = Duration.Option("--interval", TimeSpan.FromSeconds(1), "How often --wait polls");
        limit.Validators.Add(r => { if (r.GetValueOrDefault<int?>() is < 1) r.AddError("--limit must be at least 1."); });

        var command = new Command("rescore", "Re-score stored listings with the active reward models (POST /reward-models/rescore, admin)")
        {
            listings, since, limit, wait, timeout, interval,
        };
        app.SetAction(command, async (ctx, ct) =>
        {
            var ids = ctx.Get(listings) is { Length: > 0 } given ? given.Distinct().ToArray() : null;
            var sinceValue = ctx.Get(since);
            var api = ctx.Api;
            var response = await api.PostAsync<RescoreResponse>(
                PlatformApi.Combine(ctx.Settings.Scoring, "reward-models/rescore"),
                new RescoreRequest(ids, sinceValue, ctx.Get(limit)), "POST /reward-models/rescore", ct);
            var console = ctx.Console;
            console.MarkupLineInterpolated($"Queued [bold]{response.Queued}[/] listing(s) for re-scoring with model version [bold]{response.ModelVersion}[/].");
            if (!ctx.Get(wait))
                return ExitCodes.Ok;
            if (ids is null)
            {
                console.MarkupLine("[yellow]--wait needs --listing: without it there is no list of listings to wait for.[/]");
                return ExitCodes.Ok;
            }

            var pending = ids.ToHashSet();
            var done = new Dictionary<Guid, DateTimeOffset>();
            using var deadline = CancellationTokenSource.CreateLinkedTokenSource(ct);
            deadline.CancelAfter(ctx.Get(timeout));
            try
            {
                await console.Status().StartAsync($"Waiting for {pending.Count} listing(s)…", async status =>
                {
                    while (pending.Count > 0)
                    {
                        foreach (var id in pending.ToList())
                        {
                            var results = await api.GetAsync<List<ScoredListing>>(PlatformApi.Combine(ctx.Settings.Scoring, $"scored-listings/{id}"), "GET /scored-listings/{id}", deadline.Token, notFoundIsNull: true);
                            if (results?.FirstOrDefault(r => r.ModelVersion == response.ModelVersion) is { } result)
                            {
                                pending.Remove(id);
                                done[id] = result.ScoredAt;
                            }
                        }
                        status.Status($"Waiting for {pending.Count} of {ids.Length} listing(s)…");
                        if (pending.Count > 0)
                            await Task.Delay(ctx.Get(interval), deadline.Token);
                    }
                });
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
            }

            var table = new Table().Border(TableBorder.Rounded).AddColumn("listing").AddColumn($"scored with {Markup.Escape(response.ModelVersion)} (UTC)");
            foreach (var id in ids)
            {
                table.AddRow(id.ToString(), done.TryGetValue(id, out var at)
                    ? at.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)
                    : "[yellow]not yet[/]");
            }
            console.Write(table);
            if (pending.Count == 0)
                return ExitCodes.Ok;
            console.MarkupLineInterpolated($"[red]{pending.Count} listing(s) have no result from {response.ModelVersion} after {Duration.Format(ctx.Get(timeout))}.[/]");
            return ExitCodes.Error;
        });
        return command;
    }
}
