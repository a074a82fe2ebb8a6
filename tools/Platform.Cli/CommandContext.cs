using System.CommandLine;
using Platform.Cli.Http;
using Spectre.Console;

namespace Platform.Cli;

/// <summary>What a running command has: its parse result, the console, the resolved settings and an API client.</summary>
public sealed class CommandContext(ParseResult parse, CliEnvironment environment, Settings settings) : IDisposable
{
    private PlatformApi? _api;

    public ParseResult Parse { get; } = parse;
    public CliEnvironment Environment { get; } = environment;
    public IAnsiConsole Console => Environment.Console;
    public Settings Settings { get; } = settings;
    public PlatformApi Api => _api ??= new PlatformApi(Settings, Environment.HttpHandler);

    public T? Get<T>(Option<T> option) => Parse.GetValue(option);
    public T Get<T>(Argument<T> argument) => Parse.GetValue(argument)!;

    public void Dispose() => _api?.Dispose();
}
