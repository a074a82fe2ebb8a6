using Spectre.Console;

namespace Platform.Cli;

/// <summary>What the CLI talks to besides the services: the console it writes to and the environment it reads.</summary>
public sealed class CliEnvironment
{
    /// <summary>Where every command writes (a <c>TestConsole</c> in tests).</summary>
    public required IAnsiConsole Console { get; init; }

    /// <summary>Where usage errors of the command line go; the console's writer when null.</summary>
    public TextWriter? Error { get; init; }

    /// <summary>Environment variables (<c>PLATFORM_*</c>); the process's own by default.</summary>
    public Func<string, string?> GetVariable { get; init; } = Environment.GetEnvironmentVariable;

    /// <summary>The HTTP handler of the API client; a <see cref="SocketsHttpHandler"/> when null.</summary>
    public Func<HttpMessageHandler>? HttpHandler { get; init; }

    /// <summary>Base delay of the import's retry backoff (tests shorten it).</summary>
    public TimeSpan RetryBaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    internal TextWriter Out => Console.Profile.Out.Writer;
}
