using System.Collections.Concurrent;
using System.CommandLine;
using System.Globalization;
using System.Net;
using Platform.Cli.Http;
using Spectre.Console;

namespace Platform.Cli.Import;

/// <summary><c>platform import &lt;file&gt;</c>: posts every listing of a file to ingestion, with progress, retries and resume.</summary>
public static class ImportCommand
{
    public static Command Create(CliApp app)
    {
        var file = new Argument<string>("file") { Description = "JSON lines, an RSS 2.0 or Atom feed, or an arXiv API response" };
        var format = new Option<InputFormat>("--format")
        {
            Description = "Input format (auto: JSON lines when the file starts with '{', else by the XML root and namespaces)",
            DefaultValueFactory = _ => InputFormat.Auto,
            HelpName = "auto|jsonl|rss|atom|arxiv",
        };
        var source = new Option<string?>("--source") { Description = "Source name for every listing (default: the item's own, else jsonl arXiv ids 'arxiv', Hugging Face rows 'hf-daily-papers', RSS the feed's host, Atom 'atom', arXiv 'arxiv')", HelpName = "name" };
        var concurrency = new Option<int>("--concurrency") { Description = "Requests in flight at once", DefaultValueFactory = _ => 4, HelpName = "n" };
        var state = new Option<string?>("--state") { Description = "Resume state file (default <file>.import-state.json)", HelpName = "file" };
        var restart = new Option<bool>("--restart") { Description = "Ignore the state file and send everything from the start" };
        var retries = new Option<int>("--retries") { Description = "Retries per listing after a 5xx, 408, 429 or connection error (exponential backoff)", DefaultValueFactory = _ => 5, HelpName = "n" };
        concurrency.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 1 or > 64) r.AddError("--concurrency must be 1..64."); });
        retries.Validators.Add(r => { if (r.GetValueOrDefault<int>() is < 0 or > 20) r.AddError("--retries must be 0..20."); });

        var command = new Command("import", "Import listings from a file by posting them to ingestion (POST /listings)")
        {
            file, format, source, concurrency, state, restart, retries,
        };
        app.SetAction(command, (ctx, ct) => new Importer(ctx, new ImportOptions(
            ctx.Get(file), ctx.Get(format), ctx.Get(source), ctx.Get(concurrency), ctx.Get(state), ctx.Get(restart), ctx.Get(retries))).RunAsync(ct));
        return command;
    }
}

public sealed record ImportOptions(string File, InputFormat Format, string? Source, int Concurrency, string? StatePath, bool Restart, int Retries);

internal enum Outcome
{
    Created,
    AlreadyAccepted,
    Conflict,
    Invalid,
    Failed,
}

internal sealed class Importer(CommandContext ctx, ImportOptions options)
{
    private const int MaxProblemsShown = 20;
    private readonly IAnsiConsole _console = ctx.Console;
    private readonly object _gate = new();
    private readonly ImportCounts _counts = new();
    private readonly ConcurrentQueue<(ImportItem Item, Outcome Outcome, string Reason)> _problems = new();
    private int _retries;

    public async Task<int> RunAsync(CancellationToken ct)
    {
        var path = Path.GetFullPath(options.File);
        var (format, items) = ListingReader.Read(path, options.Format, options.Source);
        var formatName = format.ToString().ToLowerInvariant();
        var statePath = Path.GetFullPath(options.StatePath ?? path + ".import-state.json");
        var previous = options.Restart ? null : ImportState.Load(statePath);
        if (previous is not null && (previous.Format != formatName || previous.Source != options.Source))
        {
            _console.MarkupLineInterpolated($"[yellow]Ignoring {statePath}: it was written for --format {previous.Format} --source {previous.Source ?? "(none)"}.[/]");
            previous = null;
        }

        var total = items.Count;
        var start = Math.Min(previous?.Completed ?? 0, total);
        var url = PlatformApi.Combine(ctx.Settings.Ingestion, "listings");
        _console.MarkupLineInterpolated($"Importing [bold]{Path.GetFileName(path)}[/] ({formatName}, {total} listing(s)) into {url}");
        if (total == 0)
        {
            _console.MarkupLine("[yellow]No listings in the file.[/]");
            return ExitCodes.Ok;
        }
        if (start >= total)
        {
            _console.MarkupLineInterpolated($"All {total} listing(s) were imported before (state: {statePath}); nothing to send. Pass --restart to send them again.");
            return ExitCodes.Ok;
        }
        if (start > 0)
            _console.MarkupLineInterpolated($"Resuming at listing {start + 1} of {total}: {start} completed by an earlier run (state: {statePath}).");

        var done = new bool[total];
        var watermark = start;
        var lastSave = DateTime.MinValue;
        void Save()
        {
            var cumulative = new ImportCounts();
            if (previous is not null)
                cumulative.Add(previous.Counts);
            cumulative.Add(_counts);
            new ImportState
            {
                File = path, Format = formatName, Source = options.Source, Total = total, Completed = watermark,
                Counts = cumulative, UpdatedAt = DateTimeOffset.UtcNow,
            }.Save(statePath);
            lastSave = DateTime.UtcNow;
        }

        var cancelled = false;
        try
        {
            await _console.Progress()
                .AutoClear(false)
                .HideCompleted(false)
                .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn())
                .StartAsync(async progress =>
                {
                    var task = progress.AddTask(Describe(), maxValue: total);
                    task.Value = start;
                    await Parallel.ForEachAsync(Enumerable.Range(start, total - start),
                        new ParallelOptions { MaxDegreeOfParallelism = options.Concurrency, CancellationToken = ct },
                        async (index, token) =>
                        {
                            var (outcome, reason) = await PostAsync(url, items[index], token);
                            lock (_gate)
                            {
                                Count(outcome);
                                if (outcome != Outcome.Failed)
                                    done[index] = true;
                                while (watermark < total && done[watermark])
                                    watermark++;
                                if (DateTime.UtcNow - lastSave > TimeSpan.FromMilliseconds(250))
                                    Save();
                                task.Description = Describe();
                            }
                            if (reason is not null && outcome is not (Outcome.Created or Outcome.AlreadyAccepted))
                                _problems.Enqueue((items[index], outcome, reason));
                            task.Increment(1);
                        });
                });
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            cancelled = true;
        }
        finally
        {
            lock (_gate)
                Save();
        }

        Report(start, total);
        if (cancelled)
        {
            _console.MarkupLineInterpolated($"[yellow]Interrupted: {watermark} of {total} listing(s) completed. Run the same command again to continue from listing {watermark + 1} (state: {statePath}).[/]");
            return ExitCodes.Cancelled;
        }
        if (_counts.Failed > 0)
        {
            _console.MarkupLineInterpolated($"[red]{_counts.Failed} listing(s) could not be sent. Run the same command again to retry from listing {watermark + 1} (state: {statePath}).[/]");
            return ExitCodes.Error;
        }
        if (_counts.Invalid + _counts.Conflict > 0)
        {
            _console.MarkupLineInterpolated($"[yellow]{_counts.Invalid + _counts.Conflict} listing(s) were refused (see above); the rest is in.[/]");
            return ExitCodes.Refused;
        }
        _console.MarkupLineInterpolated($"[green]Done:[/] all {total} listing(s) of {Path.GetFileName(path)} are in (state: {statePath}).");
        return ExitCodes.Ok;
    }

    private string Describe()
    {
        var retried = Volatile.Read(ref _retries);
        return $"created [green]{_counts.Created}[/] · already [blue]{_counts.AlreadyAccepted}[/] · conflict [yellow]{_counts.Conflict}[/] · " +
            $"invalid [yellow]{_counts.Invalid}[/] · failed [red]{_counts.Failed}[/]" + (retried > 0 ? $" · retries {retried}" : "");
    }

    private void Count(Outcome outcome)
    {
        switch (outcome)
        {
            case Outcome.Created: _counts.Created++; break;
            case Outcome.AlreadyAccepted: _counts.AlreadyAccepted++; break;
            case Outcome.Conflict: _counts.Conflict++; break;
            case Outcome.Invalid: _counts.Invalid++; break;
            default: _counts.Failed++; break;
        }
    }

    private async Task<(Outcome Outcome, string? Reason)> PostAsync(Uri url, ImportItem item, CancellationToken ct)
    {
        if (item.Listing is null)
            return (Outcome.Invalid, item.ReadError);

        for (var attempt = 0; ; attempt++)
        {
            string transient;
            TimeSpan? retryAfter = null;
            try
            {
                using var response = await ctx.Api.SendAsync(HttpMethod.Post, url, item.Listing, ct);
                switch (response.StatusCode)
                {
                    case HttpStatusCode.Created:
                        return (Outcome.Created, null);
                    case HttpStatusCode.OK:
                        return (Outcome.AlreadyAccepted, null);
                    case HttpStatusCode.Conflict:
                        return (Outcome.Conflict, (await ApiException.FromAsync(response, "POST /listings", ct)).Summary);
                    case HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity:
                        return (Outcome.Invalid, (await ApiException.FromAsync(response, "POST /listings", ct)).Summary);
                    case HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden:
                        // Every other listing would get the same answer: stop (the state keeps what was done).
                        throw await ApiException.FromAsync(response, "POST /listings", ct);
                }
                var status = (int)response.StatusCode;
                var error = await ApiException.FromAsync(response, "POST /listings", ct);
                if (status is not (408 or 429 or >= 500))
                    return (Outcome.Failed, error.Summary);
                transient = error.Summary;
                retryAfter = response.Headers.RetryAfter?.Delta
                    ?? (response.Headers.RetryAfter?.Date is { } date ? date - DateTimeOffset.UtcNow : null);
            }
            catch (CliException ex) when (ex is not ApiException && ex.InnerException is HttpRequestException or OperationCanceledException && !ct.IsCancellationRequested)
            {
                transient = ex.Title + " " + ex.InnerException!.Message;
            }

            if (attempt >= options.Retries)
                return (Outcome.Failed, $"{transient} (after {attempt + 1} attempt(s))");
            Interlocked.Increment(ref _retries);
            var backoff = ctx.Environment.RetryBaseDelay * Math.Pow(2, Math.Min(attempt, 6));
            var delay = retryAfter is { } after && after > backoff ? after : backoff * (0.8 + 0.4 * Random.Shared.NextDouble());
            await Task.Delay(delay > TimeSpan.FromMinutes(1) ? TimeSpan.FromMinutes(1) : delay, ct);
        }
    }

    private void Report(int skipped, int total)
    {
        var table = new Table().Border(TableBorder.Rounded).Title("Import summary")
            .AddColumn("outcome").AddColumn(new TableColumn("listings").RightAligned());
        void Row(string name, int value) => table.AddRow(Markup.Escape(name), value.ToString(CultureInfo.InvariantCulture));
        Row("created (201)", _counts.Created);
        Row("already accepted (200)", _counts.AlreadyAccepted);
        Row("conflict (409)", _counts.Conflict);
        Row("invalid (400)", _counts.Invalid);
        Row("failed", _counts.Failed);
        if (skipped > 0)
            Row("done by an earlier run", skipped);
        Row("not sent", total - skipped - _counts.Total);
        _console.Write(table);

        if (_problems.IsEmpty)
            return;
        var problems = new Table().Border(TableBorder.Rounded).Title("Refused or failed")
            .AddColumn("#").AddColumn("externalId").AddColumn("outcome").AddColumn("reason");
        foreach (var (item, outcome, reason) in _problems.OrderBy(p => p.Item.Position).Take(MaxProblemsShown))
        {
            problems.AddRow(item.Position.ToString(CultureInfo.InvariantCulture), Markup.Escape(item.Listing?.ExternalId ?? "—"),
                outcome.ToString().ToLowerInvariant(), Markup.Escape(ApiException.Excerpt(reason, 300)));
        }
        _console.Write(problems);
        if (_problems.Count > MaxProblemsShown)
            _console.MarkupLineInterpolated($"… and {_problems.Count - MaxProblemsShown} more.");
    }
}
