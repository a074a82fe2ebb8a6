using Platform.Cli;
using Spectre.Console;

return await CliApp.RunAsync(args, new CliEnvironment { Console = AnsiConsole.Console, Error = Console.Error });
