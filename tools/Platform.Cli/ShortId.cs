namespace Platform.Cli;

/// <summary>
/// A short label for an id in tables: its last 8 hex digits. Platform's ids are sequential (MassTransit NewId), so ids
/// made close together share their first digits and differ at the end; for random ids the end is as good as the start.
/// </summary>
public static class ShortId
{
    public static string Of(Guid id) => "…" + id.ToString("N")[^8..];
}
