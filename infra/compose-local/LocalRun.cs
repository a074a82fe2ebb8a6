using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
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
    /// For every <c>${VAR:?…}</c> of the compose file whose variable is empty: a random hex secret; a variable named
    /// <c>X_SHA256</c> gets the SHA-256 of a new random key, returned as X. Returns the generated plain keys.
    /// </summary>
    public static Dictionary<string, string> GenerateMissingSecrets(string composeText, IDictionary<string, string> variables)
    {
        var keys = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var name in RequiredVariable().Matches(composeText).Select(m => m.Groups[1].Value).Distinct())
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
        try
        {
            // ------------------------------------------------ stand-ins for the infrastructure services
            RabbitMqBroker? broker = null;
            foreach (var service in enabled.Where(s => AppProject(s) is null))
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
                environments[service.Name] = environment;

                log($"compose-local: {service.Name}: dotnet {Path.GetRelativePath(compose.ProjectDirectory, dll)} on port {port}");
                var original = service.Environment.ToDictionary(e => e.Key, e => e.Value, StringComparer.Ordinal);
                foreach (var (key, value) in environment)
                {
                    var changed = original.TryGetValue(key, out var before) && before != value ? $"   (compose: {Mask(key, before)})" : "";
                    log($"    {key}={Mask(key, value)}{changed}");
                }

                var baseAddress = new Uri($"http://{LocalNetwork.LoopbackAddress}:{port}/");
                processes.Add(ServiceProcess.Start(service.Name, dll, environment, Path.Combine(work, $"{service.Name}.log"), baseAddress));
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
            };

            if (options.Smoke && AppServices.All(a => apps.Any(s => AppProject(s) == a)))
            {
                var publisherKey = options.PublisherKey ?? generatedKeys.GetValueOrDefault("PUBLISHER_KEY");
                var adminKey = options.AdminKey ?? generatedKeys.GetValueOrDefault("ADMIN_KEY");
                result = await SmokeAsync(result, apps, processes, publisherKey, adminKey, smtp, http, options.SmokeTimeout, log, cancellationToken)
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

    // ---------------------------------------------------------------- broker users

    /// <summary>Imports the broker's definitions file (found through <c>load_definitions</c> in its configs) into the local broker.</summary>
    private static async Task ApplyDefinitionsAsync(ComposeFile compose, ComposeService rabbit, RabbitMqBroker broker, Action<string> log,
        CancellationToken cancellationToken)
    {
        var files = rabbit.Configs.ToDictionary(
            c => c.Target,
            c => (compose.Configs.GetValueOrDefault(c.Source) ?? throw new ComposeException($"{rabbit.Name}: config '{c.Source}' is not defined")).ReadContent(),
            StringComparer.Ordinal);
        foreach (var volume in rabbit.Volumes.Where(v => v.IsBind && File.Exists(v.Source)))
        {
            files[volume.Target] = await File.ReadAllTextAsync(volume.Source!, cancellationToken).ConfigureAwait(false);
        }

        var definitionsPath = files
            .Where(f => f.Key.EndsWith(".conf", StringComparison.Ordinal))
            .Select(f => LoadDefinitions().Match(f.Value))
            .Where(m => m.Success)
            .Select(m => m.Groups[1].Value.Trim())
            .LastOrDefault();
        if (definitionsPath is null)
        {
            log($"compose-local: WARNING {rabbit.Name} loads no definitions file (load_definitions); no broker users are created");
            return;
        }

        if (!files.TryGetValue(definitionsPath, out var definitions))
        {
            throw new ComposeException($"{rabbit.Name}: load_definitions = {definitionsPath}, but no config or bind mount puts a file there.");
        }

        using var document = JsonDocument.Parse(definitions);
        var users = document.RootElement.TryGetProperty("users", out var list)
            ? list.EnumerateArray().Select(u => u.GetProperty("name").GetString()!).ToList()
            : [];
        // rabbitmqctl reads the file as the broker's user (Debian's wrapper switches to "rabbitmq"): a folder it can pass
        // through but not list, and a file with an unguessable name.
        var folder = Directory.CreateTempSubdirectory("compose-local-definitions-").FullName;
        var file = Path.Combine(folder, $"{Guid.NewGuid():N}.json");
        await File.WriteAllTextAsync(file, definitions, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(folder, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
                    | UnixFileMode.GroupExecute | UnixFileMode.OtherExecute);
                File.SetUnixFileMode(file, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
            }

            await broker.RabbitMqCtlAsync(["import_definitions", file], cancellationToken).ConfigureAwait(false);
            // The import is asynchronous: wait until every user exists.
            var deadline = Stopwatch.StartNew();
            while (true)
            {
                var output = await broker.RabbitMqCtlAsync(["list_users", "--no-table-headers"], cancellationToken).ConfigureAwait(false);
                var existing = output.Split('\n').Select(l => l.Split('\t')[0].Trim()).ToHashSet(StringComparer.Ordinal);
                if (users.All(existing.Contains))
                {
                    break;
                }

                if (deadline.Elapsed > TimeSpan.FromSeconds(30))
                {
                    throw new LocalRunException($"broker users {string.Join(", ", users.Where(u => !existing.Contains(u)))} did not appear 30 s after import_definitions");
                }

                await Task.Delay(200, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }

        log($"compose-local: {rabbit.Name}: imported {definitionsPath} (users {string.Join(", ", users)})");
    }

    private static async Task<HashSet<string>> BrokerUsersAsync(RabbitMqBroker broker, CancellationToken cancellationToken)
    {
        var output = await broker.RabbitMqCtlAsync(["list_connections", "user", "--no-table-headers"], cancellationToken).ConfigureAwait(false);
        return output.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0).ToHashSet(StringComparer.Ordinal);
    }

    // ---------------------------------------------------------------- readiness

    private static async Task WaitUntilReadyAsync(List<ServiceProcess> processes, HttpClient http, TimeSpan timeout,
        Action<string> log, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var pending = processes.ToDictionary(p => p.Name, _ => "no answer yet");
        while (pending.Count > 0)
        {
            foreach (var process in processes.Where(p => pending.ContainsKey(p.Name)))
            {
                if (process.HasExited)
                {
                    throw new LocalRunException($"{process.Name} exited with code {process.ExitCode} before it was ready. Its output ({process.LogFile}):\n{process.Tail()}");
                }

                try
                {
                    using var response = await http.GetAsync(new Uri(process.BaseAddress, "health/ready"), cancellationToken).ConfigureAwait(false);
                    var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
                    if (response.IsSuccessStatusCode)
                    {
                        pending.Remove(process.Name);
                        log($"compose-local: {process.Name} ready after {clock.Elapsed.TotalSeconds:0.0} s");
                    }
                    else
                    {
                        pending[process.Name] = $"{(int)response.StatusCode} {body}";
                    }
                }
                catch (HttpRequestException ex)
                {
                    pending[process.Name] = ex.Message;
                }
                catch (TaskCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    pending[process.Name] = "no answer within 10 s";
                }
            }

            if (pending.Count == 0)
            {
                break;
            }

            if (clock.Elapsed > timeout)
            {
                var details = string.Join("\n\n", processes.Where(p => pending.ContainsKey(p.Name)).Select(p =>
                    $"{p.Name}: /health/ready: {pending[p.Name]}\nits output ({p.LogFile}):\n{p.Tail(15)}"));
                throw new LocalRunException($"not ready after {timeout.TotalSeconds:0} s: {string.Join(", ", pending.Keys)}\n{details}");
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    // ---------------------------------------------------------------- smoke test

    private static async Task<LocalRunResult> SmokeAsync(LocalRunResult result, List<ComposeService> apps, List<ServiceProcess> processes,
        string? publisherKey, string? adminKey, SmtpCatcher? smtp, HttpClient http, TimeSpan timeout, Action<string> log,
        CancellationToken cancellationToken)
    {
        Uri Url(string project, string path) =>
            new(processes.Single(p => p.Name == apps.Single(s => AppProject(s) == project).Name).BaseAddress, path);
        ComposeService App(string project) => apps.Single(s => AppProject(s) == project);

        CheckKey(App("Ingestion"), "Access__PublisherKeys__", publisherKey, "publisher");
        CheckKey(App("Ingestion"), "Access__AdminKeys__", adminKey, "admin");
        CheckKey(App("Scoring"), "Access__AdminKeys__", adminKey, "admin");
        CheckKey(App("Notification"), "Access__AdminKeys__", adminKey, "admin");

        var clock = Stopwatch.StartNew();
        var email = $"compose-local-{Guid.NewGuid():N}@example.org";
        using var subscribe = new HttpRequestMessage(HttpMethod.Post, Url("Notification", "subscribers"))
        {
            Content = JsonContent.Create(new
            {
                email,
                interests = "Robot learning for dexterous manipulation and grasping with multi-fingered robot hands",
                threshold = 0.1,
                mode = "instant",
            }),
        };
        var subscriber = await SendAsync(http, subscribe, HttpStatusCode.Created, "POST /subscribers", cancellationToken).ConfigureAwait(false);
        var subscriberId = subscriber.GetProperty("id").GetGuid();
        log($"compose-local: smoke: subscriber {subscriberId} ({email})");

        await EventuallyAsync(http, () => Get(Url("Scoring", $"subscriber-vectors/{subscriberId}"), adminKey), _ => true,
            timeout - clock.Elapsed, "scoring to hold the subscriber's interest vector", cancellationToken).ConfigureAwait(false);

        using var post = new HttpRequestMessage(HttpMethod.Post, Url("Ingestion", "listings"))
        {
            Content = JsonContent.Create(new
            {
                source = "compose-local",
                externalId = Guid.NewGuid().ToString("N"),
                title = "Diffusion Policies for Dexterous Robot Manipulation from Few Demonstrations",
                @abstract = "We train diffusion-based visuomotor policies for a multi-fingered robot hand from twenty demonstrations per task; the policies grasp and reorient unseen objects.",
                url = "https://example.org/papers/compose-local",
                tags = new[] { "robotics" },
            }),
        };
        post.Headers.Add("X-Api-Key", publisherKey);
        var listing = await SendAsync(http, post, HttpStatusCode.Created, "POST /listings", cancellationToken).ConfigureAwait(false);
        var listingId = listing.GetProperty("id").GetGuid();
        log($"compose-local: smoke: listing {listingId} accepted");

        var scores = await EventuallyAsync(http, () => Get(Url("Scoring", $"scored-listings/{listingId}"), adminKey),
            s => s.ValueKind == JsonValueKind.Array && s.GetArrayLength() > 0, timeout - clock.Elapsed, "the listing's score", cancellationToken)
            .ConfigureAwait(false);
        var score = FindScore(scores, subscriberId);
        log($"compose-local: smoke: scored, subscriber's score {score?.ToString("0.000", CultureInfo.InvariantCulture) ?? "(not listed)"}");

        await EventuallyAsync(http, () => Get(Url("Notification", $"subscribers/{subscriberId}/deliveries"), adminKey),
            d => d.ValueKind == JsonValueKind.Array && d.EnumerateArray().Any(x => x.GetProperty("status").GetString() == "delivered"),
            timeout - clock.Elapsed, "the email delivery to be recorded as delivered", cancellationToken).ConfigureAwait(false);
        var emails = smtp?.Messages.Select(m => m.To).ToList() ?? [];
        if (smtp is not null && !emails.Contains(email, StringComparer.OrdinalIgnoreCase))
        {
            throw new LocalRunException($"notification says the email to {email} was delivered, but the SMTP catcher got none (got: {string.Join(", ", emails)})");
        }

        log($"compose-local: smoke: email delivered to {email} after {clock.Elapsed.TotalSeconds:0.0} s");
        return result with { ListingId = listingId, Score = score, EmailsTo = emails };
    }

    private static void CheckKey(ComposeService service, string prefix, string? key, string role)
    {
        var hashes = service.Environment
            .Where(e => e.Key.StartsWith(prefix, StringComparison.Ordinal) && e.Key.EndsWith("__Sha256", StringComparison.Ordinal) && e.Value.Length > 0)
            .Select(e => e.Value.ToLowerInvariant())
            .ToList();
        if (hashes.Count == 0)
        {
            return; // open role: no key needed
        }

        if (key is null)
        {
            throw new LocalRunException($"{service.Name} requires a {role} key: pass --{role}-key (or --generate-missing-secrets with an env file that leaves the hashes empty)");
        }

        if (!hashes.Contains(Sha256Hex(key)))
        {
            throw new LocalRunException($"the {role} key given does not match any {prefix}N__Sha256 of {service.Name}");
        }
    }

    private static HttpRequestMessage Get(Uri url, string? adminKey)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (adminKey is not null)
        {
            request.Headers.Add("X-Api-Key", adminKey);
        }

        return request;
    }

    private static async Task<JsonElement> SendAsync(HttpClient http, HttpRequestMessage request, HttpStatusCode expected, string what,
        CancellationToken cancellationToken)
    {
        using var response = await http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        if (response.StatusCode != expected)
        {
            throw new LocalRunException($"smoke: {what} answered {(int)response.StatusCode} (expected {(int)expected}): {body}");
        }

        return JsonDocument.Parse(body).RootElement.Clone();
    }

    private static async Task<JsonElement> EventuallyAsync(HttpClient http, Func<HttpRequestMessage> request, Func<JsonElement, bool> done,
        TimeSpan timeout, string what, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var last = "";
        while (true)
        {
            using (var message = request())
            using (var response = await http.SendAsync(message, cancellationToken).ConfigureAwait(false))
            {
                last = $"{(int)response.StatusCode} {await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)}";
                if (response.IsSuccessStatusCode)
                {
                    var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false)).RootElement.Clone();
                    if (done(body))
                    {
                        return body;
                    }
                }
            }

            if (clock.Elapsed > timeout)
            {
                throw new LocalRunException($"smoke: waited {timeout.TotalSeconds:0} s for {what}; last answer: {Truncate(last, 600)}");
            }

            await Task.Delay(500, cancellationToken).ConfigureAwait(false);
        }
    }

    private static double? FindScore(JsonElement scores, Guid subscriberId)
    {
        foreach (var scored in scores.EnumerateArray())
        {
            if (scored.TryGetProperty("matches", out var matches) && matches.ValueKind == JsonValueKind.Array)
            {
                foreach (var match in matches.EnumerateArray())
                {
                    if (match.TryGetProperty("subscriberId", out var id) && id.GetGuid() == subscriberId && match.TryGetProperty("score", out var score))
                    {
                        return score.GetDouble();
                    }
                }
            }
        }

        return null;
    }

    private static string Truncate(string text, int length) => text.Length <= length ? text : text[..length] + " ...";

    /// <summary>Passwords, keys and hashes are shown as *** in the log.</summary>
    internal static string Mask(string key, string value) =>
        value.Length > 0 && SecretName().IsMatch(key) ? "***" : value;

    [GeneratedRegex(@"\$\{([A-Za-z_][A-Za-z0-9_]*):?\?")]
    private static partial Regex RequiredVariable();

    [GeneratedRegex(@"(?im)^\s*load_definitions\s*=\s*(.+?)\s*$")]
    private static partial Regex LoadDefinitions();

    [GeneratedRegex("(?i)(password|secret|signingkey|sha256|apikey)")]
    private static partial Regex SecretName();
}
