namespace Platform.Data;

/// <summary>Where a service keeps its SQLite file and how patient it is with a locked database.</summary>
public sealed class DatabaseOptions
{
    /// <summary>File path; relative paths resolve against the working directory. Empty means <c>data/{service}.db</c>.</summary>
    public string Path { get; set; } = "";

    /// <summary>How long a statement waits for another writer before failing with SQLITE_BUSY.</summary>
    public int BusyTimeoutMs { get; set; } = 5000;

    /// <summary>NORMAL is corruption-safe in WAL mode (the last commits may roll back on power loss); FULL if that matters.</summary>
    public string Synchronous { get; set; } = "NORMAL";
}
