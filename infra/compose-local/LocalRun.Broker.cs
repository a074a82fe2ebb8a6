using System.Diagnostics;
using System.Text.Json;
using Platform.Testing;

namespace Platform.ComposeLocal;

// The compose file's broker users, imported into the local RabbitMQ node.
public static partial class LocalRun
{
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

    internal static async Task WaitUntilReadyAsync(List<ServiceProcess> processes, HttpClient http, TimeSpan timeout,
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
}
