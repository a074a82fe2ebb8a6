using System.Globalization;
using Platform.ComposeLocal;
using Platform.Testing;

const string Usage = """
    compose-local: runs docker-compose.yml's Platform services as local processes, without Docker.

      dotnet run --project infra/compose-local -c Release -- [options] [service...]

    Reads the compose file and its env file with compose's interpolation, then for each enabled Platform service
    (built from infra/docker/service.Dockerfile) runs `dotnet services/<S>/bin/<configuration>/net10.0/Platform.<S>.dll`
    with exactly the environment the file gives it, except: service host names become 127.0.0.1 and their container
    ports the local stand-in's port (RabbitMQ: a private node with the users of the broker's definitions file; Mailpit:
    an SMTP catcher; the telemetry UI: a port that accepts and drops OTLP), volumes become temp folders, and
    ASPNETCORE_HTTP_PORTS is a free port. Checks /health/ready of each, runs one listing through (subscriber, listing,
    score, email) and stops everything.

    options:
      -f, --file FILE               compose file (default: docker-compose.yml)
      --env-file FILE               env file, repeatable (default: .env beside the compose file)
      --project-directory DIR       base of relative paths in the compose file (default: the compose file's folder)
      --profile NAME                active profile, repeatable (default: COMPOSE_PROFILES)
      -c, --configuration NAME      build output to run (default: the runner's own, e.g. Release)
      --generate-missing-secrets    fill empty required secrets with random ones (e.g. with --env-file .env.example)
      --publisher-key KEY           plain publisher API key for the smoke test (or PLATFORM_PUBLISHER_KEY)
      --admin-key KEY               plain admin API key (or PLATFORM_ADMIN_KEY)
      --ready-timeout SECONDS       how long the services may take to get ready (default 180)
      --no-smoke                    only check readiness
      --keep-running                after the checks, keep everything running until Ctrl+C
      --ignore-process-environment  interpolate from the env files only (compose lets the shell environment win)
      service...                    only these services (e.g. ingestion)

    Exit status: 0 when everything was ready (and the smoke test passed), 1 when not, 2 for a bad compose/env file.
    """;

string file = "docker-compose.yml";
string? projectDirectory = null;
var envFiles = new List<string>();
var profiles = new List<string>();
var services = new List<string>();
var configuration = LocalRun.OwnConfiguration;
var generate = false;
var smoke = true;
var keepRunning = false;
var useProcessEnvironment = true;
var readyTimeout = TimeSpan.FromSeconds(180);
var publisherKey = Environment.GetEnvironmentVariable("PLATFORM_PUBLISHER_KEY");
var adminKey = Environment.GetEnvironmentVariable("PLATFORM_ADMIN_KEY");

for (var i = 0; i < args.Length; i++)
{
    string Next() => i + 1 < args.Length ? args[++i] : throw new ArgumentException($"{args[i]} needs a value");
    switch (args[i])
    {
        case "-h" or "--help":
            Console.WriteLine(Usage);
            return 0;
        case "-f" or "--file": file = Next(); break;
        case "--env-file": envFiles.Add(Next()); break;
        case "--project-directory": projectDirectory = Next(); break;
        case "--profile": profiles.Add(Next()); break;
        case "-c" or "--configuration": configuration = Next(); break;
        case "--generate-missing-secrets": generate = true; break;
        case "--publisher-key": publisherKey = Next(); break;
        case "--admin-key": adminKey = Next(); break;
        case "--ready-timeout": readyTimeout = TimeSpan.FromSeconds(double.Parse(Next(), CultureInfo.InvariantCulture)); break;
        case "--no-smoke": smoke = false; break;
        case "--keep-running": keepRunning = true; break;
        case "--ignore-process-environment": useProcessEnvironment = false; break;
        case var option when option.StartsWith('-'):
            Console.Error.WriteLine($"unknown option {option}\n\n{Usage}");
            return 2;
        default: services.Add(args[i]); break;
    }
}

Task<RabbitMqBroker>? broker = null;
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

try
{
    await LocalRun.RunAsync(new LocalRunOptions
    {
        ComposeFile = file,
        EnvFiles = envFiles,
        ProjectDirectory = projectDirectory,
        Profiles = profiles,
        Services = services,
        Configuration = configuration,
        GenerateMissingSecrets = generate,
        PublisherKey = publisherKey,
        AdminKey = adminKey,
        ReadyTimeout = readyTimeout,
        Smoke = smoke,
        UseProcessEnvironment = useProcessEnvironment,
        Broker = () => broker ??= RabbitMqBroker.GetAsync(),
        WhileRunning = keepRunning
            ? async (result, ct) =>
            {
                foreach (var (name, url) in result.Services)
                {
                    Console.WriteLine($"compose-local: {name} on {url}");
                }

                Console.WriteLine("compose-local: running; Ctrl+C stops everything");
                await Task.Delay(Timeout.Infinite, ct).ContinueWith(_ => { }, TaskScheduler.Default);
            }
            : null,
    }, cancel.Token);
    Console.WriteLine("compose-local: OK");
    return 0;
}
catch (ComposeException ex)
{
    Console.Error.WriteLine($"compose-local: {ex.Message}");
    return 2;
}
catch (LocalRunException ex)
{
    Console.Error.WriteLine($"compose-local: FAILED: {ex.Message}");
    return 1;
}
catch (Exception ex) when (ex is RabbitMqUnavailableException or RabbitMqCommandException or RabbitMqStartException)
{
    Console.Error.WriteLine($"compose-local: {ex.Message}");
    return 1;
}
finally
{
    // The private RabbitMQ node (if one was started) is stopped with the process.
    if (broker is { IsCompletedSuccessfully: true })
    {
        await broker.Result.StopAsync();
    }
}
