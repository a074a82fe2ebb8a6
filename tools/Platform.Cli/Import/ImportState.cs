using System.Text.Json;
using Platform.Cli.Http;

namespace Platform.Cli.Import;

/// <summary>Outcome counts of an import.</summary>
public sealed class ImportCounts
{
    public int Created { get; set; }
    public int AlreadyAccepted { get; set; }
    public int Conflict { get; set; }
    public int Invalid { get; set; }
    public int Failed { get; set; }

    public int Total => Created + AlreadyAccepted + Conflict + Invalid + Failed;

    public void Add(ImportCounts other)
    {
        Created += other.Created;
        AlreadyAccepted += other.AlreadyAccepted;
        Conflict += other.Conflict;
        Invalid += other.Invalid;
        Failed += other.Failed;
    }
}

/// <summary>
/// The resume point of an import, kept next to the input (<c>&lt;file&gt;.import-state.json</c>): <see cref="Completed"/>
/// items from the start of the file have an answer (created, already accepted, conflict or invalid). A failed item, and
/// everything after it, counts as not completed, so a rerun sends it again.
/// </summary>
public sealed record ImportState
{
    public int Version { get; init; } = 1;
    public string File { get; init; } = "";
    public string Format { get; init; } = "";
    public string? Source { get; init; }
    public int Total { get; init; }
    public int Completed { get; init; }
    public ImportCounts Counts { get; init; } = new();
    public DateTimeOffset UpdatedAt { get; init; }

    public static ImportState? Load(string path)
    {
        if (!System.IO.File.Exists(path))
            return null;
        try
        {
            return JsonSerializer.Deserialize<ImportState>(System.IO.File.ReadAllText(path), PlatformApi.Json);
        }
        catch (JsonException ex)
        {
            throw new CliException($"The state file {path} is not readable.", $"{ex.Message} Delete it or pass --restart.", inner: ex);
        }
    }

    /// <summary>Writes to a temporary file and renames it over the old one, so a crash leaves the old or the new state, never half of one.</summary>
    public void Save(string path)
    {
        var temp = path + ".tmp";
        System.IO.File.WriteAllText(temp, JsonSerializer.Serialize(this, new JsonSerializerOptions(PlatformApi.Json) { WriteIndented = true }));
        System.IO.File.Move(temp, path, overwrite: true);
    }
}
