using Platform.Cli;
using Spectre.Console;

// Output piped to a file or another program is 80 columns wide unless COLUMNS says otherwise.
if (Console.IsOutputRedirected && int.TryParse(Environment.GetEnvironmentVariable("COLUMNS"), out var columns) && columns >= 40)
    AnsiConsole.Console.Profile.Width = columns;

return await CliApp.RunAsync(args, new CliEnvironment { Console = AnsiConsole.Console, Error = Console.Error });
