namespace Platform.Cli;

/// <summary>A failure the CLI explains to the operator (title and detail) before exiting with <see cref="ExitCode"/>.</summary>
public class CliException(string title, string? detail = null, int exitCode = ExitCodes.Error, Exception? inner = null)
    : Exception(detail is null ? title : $"{title} {detail}", inner)
{
    public string Title { get; } = title;
    public string? Detail { get; } = detail;
    public int ExitCode { get; } = exitCode;
}

public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A call failed (problem details, unreachable service or broker, missing data).</summary>
    public const int Error = 1;

    /// <summary>import: some listings were refused (invalid or conflicting) though everything was sent.</summary>
    public const int Refused = 3;

    /// <summary>Interrupted with Ctrl+C (progress is saved where the command keeps any).</summary>
    public const int Cancelled = 130;
}
