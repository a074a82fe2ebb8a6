using System.CommandLine;
using Platform.Cli.Commands;
using Platform.Cli.Http;
using Platform.Cli.Import;
using Spectre.Console;

namespace Platform.Cli;

/// <summary>The <c>platform</c> command line: builds the commands and runs one (in-process, so tests call it directly).</summary>
public sealed class CliApp
{
    private readonly CliEnvironment _environment;

    private CliApp(CliEnvironment environment)
    {
        _environment = environment;
        Root = new RootCommand("Operator CLI for Platform: import listings, follow scored results and a listing's journey, " +
            "inspect and replay error queues, re-score, back up the databases.");
        foreach (var option in Global.All)
            Root.Add(option);
        Root.Add(ImportCommand.Create(this));
        Root.Add(TailCommand.Create(this));
        Root.Add(JourneyCommand.Create(this));
        Root.Add(ErrorsCommand.Create(this));
        Root.Add(RescoreCommand.Create(this));
        Root.Add(BackupCommand.Create(this));
    }

    public RootCommand Root { get; }
    public GlobalOptions Global { get; } = new();

    public static CliApp Create(CliEnvironment environment) => new(environment);

    /// <summary>Parses <paramref name="args"/> and runs the command; returns the exit code.</summary>
    public static Task<int> RunAsync(string[] args, CliEnvironment environment, CancellationToken cancellationToken = default) =>
        Create(environment).InvokeAsync(args, cancellationToken);

    public Task<int> InvokeAsync(string[] args, CancellationToken cancellationToken = default)
    {
        var parse = Root.Parse(args);
        var invocation = new InvocationConfiguration
        {
            Output = _environment.Out,
            Error = _environment.Error ?? _environment.Out,
        };
        return parse.InvokeAsync(invocation, cancellationToken);
    }

    /// <summary>
    /// Runs <paramref name="action"/> with the resolved settings; turns problem details, unreachable services and other
    /// <see cref="CliException"/>s into a message and a non-zero exit code, and Ctrl+C into exit code 130.
    /// </summary>
    public void SetAction(Command command, Func<CommandContext, CancellationToken, Task<int>> action)
    {
        command.SetAction(async (parse, ct) =>
        {
            var console = _environment.Console;
            try
            {
                using var context = new CommandContext(parse, _environment, Global.Resolve(parse, _environment.GetVariable));
                return await action(context, ct);
            }
            catch (OperationCanceledException) when (ct.IsCancellationRequested)
            {
                console.MarkupLine("[yellow]Cancelled.[/]");
                return ExitCodes.Cancelled;
            }
            catch (CliException ex)
            {
                WriteError(console, ex);
                return ex.ExitCode;
            }
        });
    }

    public static void WriteError(IAnsiConsole console, CliException ex)
    {
        var status = ex is ApiException api ? $" (HTTP {(int)api.Status})" : "";
        console.MarkupLineInterpolated($"[red]Error{status}:[/] {ex.Title}");
        if (!string.IsNullOrWhiteSpace(ex.Detail))
            console.MarkupLineInterpolated($"  {ex.Detail}");
        if (ex is ApiException { Errors.Count: > 0 } withErrors)
        {
            foreach (var (field, messages) in withErrors.Errors)
                console.MarkupLineInterpolated($"  {field}: {string.Join(" ", messages)}");
        }
    }
}
