using System.Diagnostics;
using System.Globalization;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Platform.Testing;

namespace Platform.ComposeLocal;

/// <summary>What to run and how.</summary>
public sealed record LocalRunOptions
{
    public required string ComposeFile { get; init; }

    /// <summary>Env files read in order (later ones win); none given: <c>.env</c> beside the compose file when it exists.</summary>
    public IReadOnlyList<string> EnvFiles { get; init; } = [];

    /// <summary>Like compose: the process environment overrides the env file. Off in tests, for a reproducible run.</summary>
    public bool UseProcessEnvironment { get; init; } = true;

    /// <summary>Base of relative paths (build contexts); the compose file's folder when null.</summary>
    public string? ProjectDirectory { get; init; }

    /// <summary>Active profiles; none: COMPOSE_PROFILES.</summary>
    public IReadOnlyList<string> Profiles { get; init; } = [];

    /// <summary>Only these services (and the stand-ins they need); all enabled ones when empty.</summary>
    public IReadOnlyList<string> Services { get; init; } = [];

    /// <summary>Build configuration whose output (services/X/bin/&lt;configuration&gt;/…) is run.</summary>
    public string Configuration { get; init; } = LocalRun.OwnConfiguration;

    /// <summary>Fill required variables that are empty (<c>${VAR:?…}</c>) with random secrets; <c>X_KEY_SHA256</c> gets the hash of a new key X_KEY.</summary>
    public bool GenerateMissingSecrets { get; init; }

    /// <summary>The publisher and admin API keys (plain) for the smoke test; generated ones are used when null.</summary>
    public string? PublisherKey { get; init; }

    public string? AdminKey { get; init; }

    public TimeSpan ReadyTimeout { get; init; } = TimeSpan.FromMinutes(3);

    /// <summary>After the services are ready: register a subscriber, post a listing, wait for its score and its email.</summary>
    public bool Smoke { get; init; } = true;

    public TimeSpan SmokeTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>The broker; the process-wide one of <see cref="RabbitMqBroker.GetAsync"/> (a private node, or RABBITMQ_URL) when null.</summary>
    public Func<Task<RabbitMqBroker>>? Broker { get; init; }

    /// <summary>Called once everything is up and checked, before it is stopped (the CLI waits for Ctrl+C here).</summary>
    public Func<LocalRunResult, CancellationToken, Task>? WhileRunning { get; init; }

    public Action<string> Log { get; init; } = Console.WriteLine;

    /// <summary>Where the services' output files are copied when the run stops (they live in a temp folder that is deleted).</summary>
    public string? KeepLogsIn { get; init; }

    /// <summary>
    /// Variables added to (or replacing) a service's compose environment, by compose service name; <c>*</c> applies to
    /// every Platform service. For test settings the compose file has no reason to carry (e.g. loopback webhooks).
    /// </summary>
    public IReadOnlyDictionary<string, IReadOnlyDictionary<string, string>> EnvironmentOverrides { get; init; } =
        new Dictionary<string, IReadOnlyDictionary<string, string>>();
}

/// <summary>What a successful run saw.</summary>
public sealed record LocalRunResult
{
    public required IReadOnlyDictionary<string, Uri> Services { get; init; }

    /// <summary>The environment each service process got (after the local mapping).</summary>
    public required IReadOnlyDictionary<string, IReadOnlyList<KeyValuePair<string, string>>> Environments { get; init; }

    /// <summary>Broker users with a connection open once the services were ready.</summary>
    public required IReadOnlyCollection<string> BrokerUsers { get; init; }

    public Guid? ListingId { get; init; }

    public double? Score { get; init; }

    public IReadOnlyList<string> EmailsTo { get; init; } = [];

    public int TelemetryConnections { get; init; }

    /// <summary>The running processes, to kill and restart them (valid until the run stops).</summary>
    public LocalStack? Stack { get; init; }

    /// <summary>The broker the services use.</summary>
    public Platform.Testing.RabbitMqBroker? Broker { get; init; }

    /// <summary>The plain publisher and admin API keys (given, or generated with the secrets).</summary>
    public string? PublisherKey { get; init; }

    public string? AdminKey { get; init; }
}

/// <summary>The run failed: a service did not start or get ready, or the smoke test did not get through. The message says which and shows its log.</summary>
public sealed class LocalRunException(string message) : Exception(message);

/// <summary>Runs a compose file's Platform services as local processes (see <see cref="LocalNetwork"/> for what is mapped).</summary>
public static partial class LocalRun
{
    /// <summary>The build configuration of this assembly (the services are built with it).</summary>
    public static string OwnConfiguration { get; } =
        typeof(LocalRun).Assembly.GetCustomAttribute<AssemblyConfigurationAttribute>()?.Configuration ?? "Release";

    private const int ServiceContainerPort = 8080;
    private static readonly string[] AppServices = ["Ingestion", "Embedding", "Scoring", "Notification"];

    /// <summary>Reads the interpolation variables: env files (or .env beside the compose file), then the process environment.</summary>
    public static Dictionary<string, string> ReadVariables(LocalRunOptions options)
    {
        var variables = new Dictionary<string, string>(StringComparer.Ordinal);
        var files = options.EnvFiles.Count > 0
            ? options.EnvFiles
            : [Path.Combine(Path.GetDirectoryName(Path.GetFullPath(options.ComposeFile))!, ".env")];
        foreach (var file in files)
        {
            if (!File.Exists(file))
            {
                if (options.EnvFiles.Count > 0)
                {
                    throw new ComposeException($"env file {file} not found.");
                }

                continue;
            }

            foreach (var (key, value) in DotEnv.Load(file))
            {
                variables[key] = value;
            }
        }

        if (options.UseProcessEnvironment)
        {
            foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
            {
                variables[(string)entry.Key] = (string?)entry.Value ?? "";
            }
        }

        return variables;
    }

    /// <summary>
    /// For every required variable of the compose file that is empty — a <c>${VAR:?…}</c>, or a <c>SECRET_VAR</c> entry
    /// of its secrets gate — a random hex secret; a variable named <c>X_SHA256</c> gets the SHA-256 of a new random key,
    /// returned as X. Returns the generated plain keys.
    /// </summary>
    public static Dictionary<string, string> GenerateMissingSecrets(string composeText, IDictionary<string, string> variables)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        var required = RequiredVariable().Matches(composeText).Concat(CheckedSecret().Matches(composeText)).Select(m => m.Groups[1].Value);
        foreach (var name in required.Distinct())
        {
            if (!string.IsNullOrEmpty(variables.TryGetValue(name, out var value) ? value : null))
            {
                continue;
            }

            var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
            if (name.EndsWith("_SHA256", StringComparison.Ordinal))
            {
                keys[name[..^"_SHA256".Length]] = secret;
                variables[name] = Sha256Hex(secret);
            }
            else
            {
                variables[name] = secret;
            }
        }

        return keys;
    }

    /// <summary>What the compose file's secrets gate (a service with <c>SECRET_*</c> entries) finds empty.</summary>
    public static IReadOnlyList<string> MissingSecrets(ComposeFile compose) =>
        [.. compose.Services.SelectMany(s => s.CheckedSecrets).Where(e => e.Value.Length == 0).Select(e => e.Key).Distinct()];

    public static string Sha256Hex(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    public static async Task<LocalRunResult> RunAsync(LocalRunOptions options, CancellationToken cancellationToken = default)
    {
        var log = options.Log;
        var variables = ReadVariables(options);
        var generatedKeys = options.GenerateMissingSecrets
            ? GenerateMissingSecrets(await File.ReadAllTextAsync(options.ComposeFile, cancellationToken).ConfigureAwait(false), variables)
            : [];
        if (generatedKeys.Count > 0)
        {
            log($"compose-local: generated keys for {string.Join(", ", generatedKeys.Keys)} (and random values for the other empty secrets)");
        }

        var compose = ComposeFile.Load(options.ComposeFile, variables, options.Profiles, options.ProjectDirectory);
        foreach (var name in compose.UnsetVariables)
        {
            log($"compose-local: WARNING the {name} variable is not set, defaulting to a blank string");
        }

        var missing = MissingSecrets(compose);
        if (missing.Count > 0)
        {
            throw new ComposeException("the secrets check would stop `docker compose up`: " +
                string.Join(", ", missing.Select(name => $"required variable {name} is missing a value")) + " (set them in the env file)");
        }

        var enabled = compose.Services.ToList();
        var apps = enabled.Where(s => AppProject(s) is not null).ToList();
        if (options.Services.Count > 0)
        {
            var unknown = options.Services.Where(n => apps.All(s => s.Name != n)).ToList();
            if (unknown.Count > 0)
            {
                throw new ComposeException($"not enabled Platform services: {string.Join(", ", unknown)} (enabled: {string.Join(", ", apps.Select(s => s.Name))}; profiles: {string.Join(",", compose.ActiveProfiles)})");
            }

            apps = apps.Where(s => options.Services.Contains(s.Name)).ToList();
        }

        var duplicates = apps.GroupBy(s => AppProject(s)).Where(g => g.Count() > 1).ToList();
        if (duplicates.Count > 0)
        {
            throw new ComposeException("more than one instance of a service is enabled: " +
                string.Join("; ", duplicates.Select(g => string.Join(" and ", g.Select(s => s.Name)))) +
                $" (profiles: {string.Join(",", compose.ActiveProfiles)}); enable exactly one of them");
        }

        log($"compose-local: {compose.Path}, profiles [{string.Join(",", compose.ActiveProfiles)}], services {string.Join(", ", apps.Select(s => s.Name))}");
        var work = Directory.CreateTempSubdirectory("compose-local-").FullName;
        log($"compose-local: volumes and logs in {work}");
        var network = new LocalNetwork();
        SmtpCatcher? smtp = null;
        OtlpStandIn? otlp = null;
        var processes = new List<ServiceProcess>();
        var specs = new Dictionary<string, LocalStack.StartSpec>(StringComparer.Ordinal);
        try
        {
            // ------------------------------------------------ stand-ins for the infrastructure services
            RabbitMqBroker? broker = null;
            foreach (var service in enabled.Where(s => AppProject(s) is null && !s.CheckedSecrets.Any()))
            {
                var image = service.Image ?? "";
                if (image.Contains("rabbitmq", StringComparison.OrdinalIgnoreCase))
                {
                    broker = await (options.Broker ?? RabbitMqBroker.GetAsync)().ConfigureAwait(false);
                    log($"compose-local: {service.Name} ({image}) -> {broker}");
                    network.Add(service.HostNames, 5672, broker.Port);
                    await ApplyDefinitionsAsync(compose, service, broker, log, cancellationToken).ConfigureAwait(false);
                }
                else if (image.Contains("mailpit", StringComparison.OrdinalIgnoreCase))
                {
                    smtp = await SmtpCatcher.StartAsync(FreePort.Next()).ConfigureAwait(false);
                    log($"compose-local: {service.Name} ({image}) -> SMTP catcher on {LocalNetwork.LoopbackAddress}:{smtp.Port}");
                    network.Add(service.HostNames, 1025, smtp.Port);
                }
                else if (image.Contains("aspire-dashboard", StringComparison.OrdinalIgnoreCase)
                    || image.Contains("opentelemetry-collector", StringComparison.OrdinalIgnoreCase))
                {
                    otlp = new OtlpStandIn(FreePort.Next());
                    log($"compose-local: {service.Name} ({image}) -> OTLP stand-in on {LocalNetwork.LoopbackAddress}:{otlp.Port} (accepts and drops connections)");
                    foreach (var port in new[] { 18889, 18890, 4317, 4318 })
                    {
                        network.Add(service.HostNames, port, otlp.Port);
                    }
                }
                else
                {
                    log($"compose-local: WARNING no local stand-in for {service.Name} ({image}); values naming it are left as they are");
                }
            }

            // ------------------------------------------------ ports of the Platform services
            var localPorts = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var service in apps)
            {
                var port = FreePort.Next();
                localPorts[service.Name] = port;
                network.Add(service.HostNames, ServiceContainerPort, port);
                foreach (var mapping in service.Ports.Where(p => p.ContainerPort == ServiceContainerPort && p.HostPort is not null))
                {
                    network.AddPublished(mapping.HostPort!.Value, port);
                }
            }

            // ------------------------------------------------ start
            var environments = new Dictionary<string, IReadOnlyList<KeyValuePair<string, string>>>(StringComparer.Ordinal);
            foreach (var service in apps)
            {
                var project = AppProject(service)!;
                var dll = FindDll(compose, service, project, options.Configuration);
                var volumes = service.Volumes.ToDictionary(
                    v => v.Target,
                    v => v.IsBind ? v.Source! : Directory.CreateDirectory(Path.Combine(work, "volumes", v.Source ?? $"{service.Name}-anonymous")).FullName,
                    StringComparer.Ordinal);
                var environment = network.Rewrite(service.Environment, volumes, service.Name);

                // The one variable compose-local sets itself: the port (8080 in every container) must be a free one here.
                var port = localPorts[service.Name].ToString(CultureInfo.InvariantCulture);
                environment.RemoveAll(e => e.Key is "ASPNETCORE_HTTP_PORTS" or "ASPNETCORE_URLS");
                environment.Add(new("ASPNETCORE_HTTP_PORTS", port));
                foreach (var scope in new[] { "*", service.Name })
                {
                    foreach (var (key, value) in options.EnvironmentOverrides.GetValueOrDefault(scope) ?? new Dictionary<string, string>())
                    {
                        environment.RemoveAll(e => e.Key == key);
                        environment.Add(new(key, value));
                    }
                }
                environments[service.Name] = environment;

                log($"compose-local: {service.Name}: dotnet {Path.GetRelativePath(compose.ProjectDirectory, dll)} on port {port}");
                var original = service.Environment.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
                foreach (var (key, value) in environment)
                {
                    var changed = original.TryGetValue(key, out var before) && before != value ? $"   (compose: {Mask(key, before)})" : "";
                    log($"    {key}={Mask(key, value)}{changed}");
                }

                var baseAddress = new Uri($"http://{LocalNetwork.LoopbackAddress}:{port}/");
                var logFile = Path.Combine(work, $"{service.Name}.log");
                specs[service.Name] = new LocalStack.StartSpec(dll, environment, logFile, baseAddress);
                processes.Add(ServiceProcess.Start(service.Name, dll, environment, logFile, baseAddress));
            }

            // ------------------------------------------------ ready
            using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(10) };
            await WaitUntilReadyAsync(processes, http, options.ReadyTimeout, log, cancellationToken).ConfigureAwait(false);

            var users = broker is null ? [] : await BrokerUsersAsync(broker, cancellationToken).ConfigureAwait(false);
            foreach (var service in apps)
            {
                var user = service.EnvironmentValue("Messaging__RabbitMq__Username");
                if (user is not null && broker is not null && !users.Contains(user))
                {
                    throw new LocalRunException($"{service.Name} is ready but no broker connection of user '{user}' is open (open: {string.Join(", ", users)}).");
                }
            }

            if (broker is not null)
            {
                log($"compose-local: broker connections by user: {string.Join(", ", users.Order(StringComparer.Ordinal))}");
            }

            var result = new LocalRunResult
            {
                Services = processes.ToDictionary(p => p.Name, p => p.BaseAddress),
                Environments = environments,
                BrokerUsers = users,
                Stack = new LocalStack(processes, specs, http, log),
                Broker = broker,
                PublisherKey = options.PublisherKey ?? generatedKeys.GetValueOrDefault("PUBLISHER_KEY"),
                AdminKey = options.AdminKey ?? generatedKeys.GetValueOrDefault("ADMIN_KEY"),
            };

            if (options.Smoke && AppServices.All(a => apps.Any(s => AppProject(s) == a)))
            {
                result = await SmokeAsync(result, apps, processes, result.PublisherKey, result.AdminKey, smtp, http, options.SmokeTimeout, log, cancellationToken)
                    .ConfigureAwait(false);
            }
            else if (options.Smoke)
            {
                log("compose-local: smoke test skipped (it needs all four services)");
            }

            result = result with { TelemetryConnections = otlp?.Connections ?? 0 };
            if (otlp is not null)
            {
                log($"compose-local: telemetry: {result.TelemetryConnections} OTLP connection(s) so far");
            }

            if (options.WhileRunning is not null)
            {
                await options.WhileRunning(result, cancellationToken).ConfigureAwait(false);
            }

            return result;
        }
        finally
        {
            log("compose-local: stopping");
            foreach (var process in processes.AsEnumerable().Reverse())
            {
                await process.DisposeAsync().ConfigureAwait(false);
            }

            if (smtp is not null)
            {
                await smtp.DisposeAsync().ConfigureAwait(false);
            }

            if (otlp is not null)
            {
                await otlp.DisposeAsync().ConfigureAwait(false);
            }

            if (options.KeepLogsIn is not null)
            {
                Directory.CreateDirectory(options.KeepLogsIn);
                foreach (var file in Directory.EnumerateFiles(work, "*.log"))
                {
                    File.Copy(file, Path.Combine(options.KeepLogsIn, Path.GetFileName(file)), overwrite: true);
                }
            }

            try
            {
                Directory.Delete(work, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }

    /// <summary>The Platform service a compose service builds (SERVICE argument of infra/docker/service.Dockerfile), or null.</summary>
    public static string? AppProject(ComposeService service) =>
        service.Dockerfile is not null
        && service.Dockerfile.EndsWith("service.Dockerfile", StringComparison.Ordinal)
        && service.BuildArgs.TryGetValue("SERVICE", out var project)
        && AppServices.Contains(project)
            ? project
            : null;

    private static string FindDll(ComposeFile compose, ComposeService service, string project, string configuration)
    {
        var projectDirectory = Path.Combine(service.BuildContext ?? compose.ProjectDirectory, "services", project);
        var bin = Path.Combine(projectDirectory, "bin", configuration);
        var dll = Directory.Exists(bin)
            ? Directory.EnumerateFiles(bin, $"Platform.{project}.dll", SearchOption.AllDirectories)
                .Where(f => Path.GetFileName(Path.GetDirectoryName(f)!).StartsWith("net", StringComparison.Ordinal))
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault()
            : null;
        return dll ?? throw new ComposeException(
            $"{service.Name}: no build output in {bin}; build it first: dotnet build {Path.GetRelativePath(compose.ProjectDirectory, projectDirectory)} -c {configuration}");
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + " ...";

    /// <summary>Passwords, keys and hashes are shown as *** in the log.</summary>
    internal static string Mask(string key, string value) =>
        value.Length > 0 && SecretName().IsMatch(key) ? "***" : value;

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?")]
    private static partial Regex RequiredVariable();

    [GeneratedRegex(@"(?m)^\s*SECRET_([A-Za-z_][A-Za-z0-9_]*)\s*:")]
    private static partial Regex CheckedSecret();

    [GeneratedRegex(@"(?im)^\s*load_definitions\s*=\s*(.+?)\s*$")]
    private static partial Regex LoadDefinitions();

    [GeneratedRegex("(?i)(password|secret|signingkey|sha256|apikey)")]
    private static partial Regex SecretName();
}
