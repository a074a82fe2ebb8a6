using System.CommandLine;
using System.Globalization;
using System.Net.Http.Headers;
using Microsoft.Data.Sqlite;
using Platform.Cli.Http;
using Spectre.Console;

namespace Platform.Cli.Commands;

/// <summary><c>platform backup --out DIR</c>: online backups of the services' SQLite stores, each checked with PRAGMA integrity_check.</summary>
public static class BackupCommand
{
    public static readonly IReadOnlyList<string> Services = ["ingestion", "embedding", "scoring", "notification"];

    public static Command Create(CliApp app)
    {
        var output = new Option<string>("--out") { Description = "Folder for the backup files (created when missing)", Required = true, HelpName = "dir" };
        var service = new Option<string>("--service") { Description = "Which service's database", DefaultValueFactory = _ => "all", HelpName = "ingestion|embedding|scoring|notification|all" };
        service.AcceptOnlyFromAmong([.. Services, "all"]);
        var command = new Command("backup", "Online backup of each service's SQLite database (GET /admin/backup/{database}, admin), verified with PRAGMA integrity_check")
        {
            output, service,
        };
        app.SetAction(command, async (ctx, ct) =>
        {
            var dir = Path.GetFullPath(ctx.Get(output)!);
            Directory.CreateDirectory(dir);
            var which = ctx.Get(service) is "all" or null ? Services : [ctx.Get(service)!];
            var rows = new List<(string Database, string File, long Size, string Check, bool Ok)>();
            foreach (var database in which)
            {
                var url = PlatformApi.Combine(ctx.Settings.For(database), $"admin/backup/{database}");
                var stamp = DateTime.UtcNow.ToString("yyyyMMdd'T'HHmmss'Z'", CultureInfo.InvariantCulture);
                var path = Path.Combine(dir, $"{database}-{stamp}.db");
                await DownloadAsync(ctx.Api, url, database, path, ct);
                var check = IntegrityCheck(path);
                rows.Add((database, path, new FileInfo(path).Length, check, check == "ok"));
            }

            var table = new Table().Border(TableBorder.Rounded)
                .AddColumn("database").AddColumn("file").AddColumn(new TableColumn("size").RightAligned()).AddColumn("integrity_check");
            foreach (var row in rows)
            {
                table.AddRow(row.Database, Markup.Escape(Path.GetFileName(row.File)), Size(row.Size),
                    row.Ok ? "[green]ok[/]" : $"[red]{Markup.Escape(row.Check)}[/]");
            }
            ctx.Console.MarkupLineInterpolated($"Backed up to {dir}:");
            ctx.Console.Write(table);
            return rows.All(r => r.Ok) ? ExitCodes.Ok : ExitCodes.Error;
        });
        return command;
    }

    private static async Task DownloadAsync(PlatformApi api, Uri url, string database, string path, CancellationToken ct)
    {
        var partial = path + ".partial";
        try
        {
            using var response = await api.SendAsync(HttpMethod.Get, url, null, ct, HttpCompletionOption.ResponseHeadersRead, TimeSpan.FromHours(1));
            if (!response.IsSuccessStatusCode)
                throw await ApiException.FromAsync(response, $"Backup of {database}", ct);
            if (response.Content.Headers.ContentType?.MediaType is { } type && type != "application/vnd.sqlite3" && type != "application/octet-stream")
                throw new CliException($"Backup of {database}: {url} answered {type}, not a SQLite file.");
            await using (var file = new FileStream(partial, FileMode.Create, FileAccess.Write, FileShare.None, 81920, FileOptions.Asynchronous))
            {
                await response.Content.CopyToAsync(file, ct);
                await file.FlushAsync(ct);
                file.Flush(flushToDisk: true);
            }
            File.Move(partial, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(partial))
                File.Delete(partial);
        }
    }

    /// <summary>PRAGMA integrity_check on the copy, read-only and without pooling (so the file is closed afterwards).</summary>
    public static string IntegrityCheck(string path)
    {
        try
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Mode = SqliteOpenMode.ReadOnly, Pooling = false }.ToString());
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = "PRAGMA integrity_check";
            using var reader = command.ExecuteReader();
            var lines = new List<string>();
            while (reader.Read())
                lines.Add(reader.GetString(0));
            return lines.Count == 0 ? "no answer" : string.Join("; ", lines.Take(5));
        }
        catch (SqliteException ex)
        {
            return ex.Message;
        }
    }

    private static string Size(long bytes) =>
        bytes < 1024 ? $"{bytes} B"
        : bytes < 1024 * 1024 ? $"{bytes / 1024.0:0.0} KiB"
        : $"{bytes / (1024.0 * 1024):0.0} MiB";
}
