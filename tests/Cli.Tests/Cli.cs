using Platform.Cli;
using Spectre.Console.Testing;

namespace Cli.Tests;

/// <summary>What a run of the CLI printed and returned.</summary>
public sealed record CliRun(int ExitCode, string Output)
{
    /// <summary>The output with line breaks and runs of spaces collapsed (the console wraps long lines).</summary>
    public string Flat => System.Text.RegularExpressions.Regex.Replace(Output, @"\s+", " ");

    public override string ToString() => $"exit {ExitCode}:\n{Output}";
}

/// <summary>Runs the <c>platform</c> command line in-process, as a user would type it, with its output captured.</summary>
public static class Cli
{
    /// <summary>
    /// Runs <paramref name="args"/> against <paramref name="baseUrl"/> (as --url, unless null) with an environment that
    /// holds only <paramref name="environment"/> (the machine's PLATFORM_* variables never leak in).
    /// </summary>
    public static async Task<CliRun> RunAsync(Uri? baseUrl, IEnumerable<string> args, IDictionary<string, string>? environment = null,
        CancellationToken? cancellationToken = null, TestConsole? console = null)
    {
        console ??= new TestConsole();
        console.Width(200);
        console.Profile.Capabilities.Interactive = false;
        var all = new List<string>(args);
        if (baseUrl is not null)
            all.AddRange(["--url", baseUrl.ToString()]);
        var env = new CliEnvironment
        {
            Console = console,
            GetVariable = name => environment is not null && environment.TryGetValue(name, out var value) ? value : null,
            RetryBaseDelay = TimeSpan.FromMilliseconds(20),
        };
        var code = await CliApp.RunAsync([.. all], env,
            cancellationToken ?? TestContext.Current.CancellationToken);
        return new CliRun(code, console.Output);
    }

    public static Task<CliRun> RunAsync(Uri? baseUrl, params string[] args) => RunAsync(baseUrl, (IEnumerable<string>)args);
}
