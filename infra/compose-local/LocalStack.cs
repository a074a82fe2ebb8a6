using System.Diagnostics;

namespace Platform.ComposeLocal;

/// <summary>
/// The running services of a <see cref="LocalRun"/>, for a caller that injects faults: kill one (SIGKILL) and start it
/// again with the same environment, port and volumes, as <c>restart: unless-stopped</c> would.
/// </summary>
public sealed class LocalStack
{
    private readonly List<ServiceProcess> processes;
    private readonly Dictionary<string, StartSpec> specs;
    private readonly Dictionary<string, long> peaks = new(StringComparer.Ordinal);
    private readonly HttpClient http;
    private readonly Action<string> log;

    internal LocalStack(List<ServiceProcess> processes, Dictionary<string, StartSpec> specs, HttpClient http, Action<string> log)
    {
        this.processes = processes;
        this.specs = specs;
        this.http = http;
        this.log = log;
    }

    /// <summary>How a service was started, to start it again.</summary>
    internal sealed record StartSpec(string Dll, IReadOnlyList<KeyValuePair<string, string>> Environment, string LogFile, Uri BaseAddress);

    public IReadOnlyList<string> Services => [.. processes.Select(p => p.Name)];

    public Uri BaseAddress(string service) => Process(service).BaseAddress;

    public int ProcessId(string service) => Process(service).ProcessId;

    public string LogFile(string service) => Process(service).LogFile;

    /// <summary>The last lines of a service's output (all its lives).</summary>
    public string Tail(string service, int lines = 30) => Process(service).Tail(lines);

    public bool HasExited(string service) => Process(service).HasExited;

    /// <summary>SIGKILL, then wait until the process is gone.</summary>
    public async Task KillAsync(string service)
    {
        var process = Process(service);
        await process.KillAsync().ConfigureAwait(false);
        Remember(process);
        log($"compose-local: {service} killed (SIGKILL), pid {process.ProcessId}");
    }

    /// <summary>Starts a killed (or exited) service again and waits until its <c>/health/ready</c> answers 200.</summary>
    public async Task StartAsync(string service, TimeSpan readyTimeout, CancellationToken cancellationToken = default)
    {
        var index = processes.FindIndex(p => p.Name == service);
        var old = processes[index];
        if (!old.HasExited)
        {
            throw new InvalidOperationException($"{service} is still running (pid {old.ProcessId}).");
        }

        Remember(old);
        await old.DisposeAsync().ConfigureAwait(false);
        var spec = specs[service];
        var clock = Stopwatch.StartNew();
        var fresh = ServiceProcess.Start(service, spec.Dll, spec.Environment, spec.LogFile, spec.BaseAddress, appendLog: true);
        processes[index] = fresh;
        await LocalRun.WaitUntilReadyAsync([fresh], http, readyTimeout, _ => { }, cancellationToken).ConfigureAwait(false);
        log($"compose-local: {service} started again (pid {fresh.ProcessId}), ready after {clock.Elapsed.TotalSeconds:0.0} s");
    }

    /// <summary>Each service's peak resident memory over all its lives so far (Linux; 0 elsewhere).</summary>
    public IReadOnlyDictionary<string, long> PeakMemory()
    {
        foreach (var process in processes)
        {
            process.SamplePeakMemory();
            Remember(process);
        }

        return new Dictionary<string, long>(peaks, StringComparer.Ordinal);
    }

    private void Remember(ServiceProcess process) =>
        peaks[process.Name] = Math.Max(peaks.GetValueOrDefault(process.Name), process.PeakResidentBytes);

    private ServiceProcess Process(string service) =>
        processes.FirstOrDefault(p => p.Name == service)
        ?? throw new ArgumentException($"no service {service} (running: {string.Join(", ", processes.Select(p => p.Name))})", nameof(service));
}
