using System.CommandLine;
using System.Globalization;
using Platform.Cli.Http;
using Spectre.Console;

namespace Platform.Cli.Commands;

/// <summary><c>platform journey &lt;listingId&gt;</c>: where a listing is in the pipeline, stage by stage, with timings.</summary>
public static class JourneyCommand
{
    private sealed record Stage(string Name, string Status, DateTimeOffset? At, string Detail, bool Error = false);

    public static Command Create(CliApp app)
    {
        var id = new Argument<Guid>("listingId") { Description = "The listing's id (as POST /listings returned it)" };
        var command = new Command("journey", "Show a listing's stages (ingestion, embedding, scoring, notification) and their timings") { id };
        app.SetAction(command, async (ctx, ct) =>
        {
            var listingId = ctx.Get(id);
            var api = ctx.Api;
            var settings = ctx.Settings;
            var listing = await api.GetAsync<Listing>(PlatformApi.Combine(settings.Ingestion, $"listings/{listingId}"), "GET /listings/{id}", ct, notFoundIsNull: true)
                ?? throw new CliException($"Listing {listingId} is not known to ingestion at {settings.Ingestion}.",
                    "Check the id (POST /listings returns it as \"id\") and --ingestion-url.");

            var stages = new List<Stage>
            {
                new("ingestion", "accepted", listing.AcceptedAt, $"{listing.Source}/{listing.ExternalId}"),
            };
            stages.Add(await StageAsync("embedding", async () =>
            {
                var embedding = await api.GetAsync<ListingEmbedding>(PlatformApi.Combine(settings.Embedding, $"listings/{listingId}/embedding"), "GET /listings/{id}/embedding", ct, notFoundIsNull: true);
                return embedding is null
                    ? [new Stage("embedding", "pending", null, "not embedded yet")]
                    : [new Stage("embedding", "embedded", embedding.EmbeddedAt, $"{embedding.ModelId} ({embedding.Dimension} dims)")];
            }));
            stages.AddRange(await StagesAsync("scoring", async () =>
            {
                var results = await api.GetAsync<List<ScoredListing>>(PlatformApi.Combine(settings.Scoring, $"scored-listings/{listingId}"), "GET /scored-listings/{id}", ct, notFoundIsNull: true);
                if (results is null || results.Count == 0)
                    return [new Stage("scoring", "pending", null, "not scored yet")];
                return [.. results.OrderBy(r => r.ScoredAt).Select(r =>
                {
                    var matches = r.Matches ?? [];
                    var best = matches.OrderByDescending(m => m.Score).FirstOrDefault();
                    return new Stage("scoring", "scored", r.ScoredAt,
                        $"model {r.ModelVersion}, {matches.Count} match(es)" + (best is null ? "" : $", best {ShortId.Of(best.SubscriberId)} {best.Score.ToString("0.000", CultureInfo.InvariantCulture)}"));
                })];
            }));
            stages.AddRange(await StagesAsync("notification", async () =>
            {
                var deliveries = await api.GetAsync<List<Delivery>>(PlatformApi.Combine(settings.Notification, $"deliveries?listingId={listingId}"), "GET /deliveries", ct, notFoundIsNull: true);
                if (deliveries is null || deliveries.Count == 0)
                    return [new Stage("notification", "pending", null, "no deliveries yet")];
                return [.. deliveries.OrderBy(d => d.CreatedAt).Select(d => new Stage(
                    $"notification ({d.Channel.ToLowerInvariant()})", d.Status.ToLowerInvariant(), d.CompletedAt ?? d.CreatedAt,
                    $"subscriber {ShortId.Of(d.SubscriberId)}, {d.Attempts} attempt(s)" + (d.LastError is { Length: > 0 } e ? $", last error: {ApiException.Excerpt(e, 120)}" : ""),
                    d.Status.Equals("failed", StringComparison.OrdinalIgnoreCase)))];
            }));

            var console = ctx.Console;
            console.MarkupLineInterpolated($"[bold]{listing.Title}[/]");
            console.MarkupLineInterpolated($"[grey]listing {listing.Id}, accepted {listing.AcceptedAt.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture)} UTC{(listing.Url is null ? "" : ", " + listing.Url)}[/]");
            var day = listing.AcceptedAt.UtcDateTime.Date;
            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("stage").AddColumn("status").AddColumn("time (UTC)").AddColumn(new TableColumn("since accepted").RightAligned()).AddColumn("detail");
            foreach (var stage in stages)
            {
                var color = stage.Error ? "red" : stage.At is null ? "yellow" : "green";
                table.AddRow(
                    Markup.Escape(stage.Name),
                    $"[{color}]{Markup.Escape(stage.Status)}[/]",
                    stage.At is { } at ? at.UtcDateTime.ToString(at.UtcDateTime.Date == day ? "HH:mm:ss.fff" : "yyyy-MM-dd HH:mm:ss.fff", CultureInfo.InvariantCulture) : "—",
                    stage.At is { } t ? "+" + Duration.Format(t - listing.AcceptedAt) : "—",
                    Markup.Escape(stage.Detail));
            }
            console.Write(table);
            return stages.Any(s => s.Error) ? ExitCodes.Error : ExitCodes.Ok;
        });
        return command;
    }

    private static async Task<Stage> StageAsync(string name, Func<Task<Stage[]>> load) => (await StagesAsync(name, load))[0];

    /// <summary>A stage that cannot be read (no key, service down) is shown as such, without hiding the others.</summary>
    private static async Task<IReadOnlyList<Stage>> StagesAsync(string name, Func<Task<Stage[]>> load)
    {
        try
        {
            return await load();
        }
        catch (CliException ex)
        {
            return [new Stage(name, ex is ApiException api ? $"unavailable (HTTP {(int)api.Status})" : "unreachable", null,
                ex is ApiException a ? a.Summary : ex.Title, Error: true)];
        }
    }
}
