using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Platform.ComposeLocal;

/// <summary>One service as a local process: <c>dotnet &lt;dll&gt;</c> with only the given environment (plus what
/// dotnet itself needs), its output in a log file, stopped with SIGTERM (then killed).</summary>
public sealed class ServiceProcess : IAsyncDisposable
{
    /// <summary>Taken from this process's environment: what the dotnet host needs to run at all. Nothing else leaks in.</summary>
    private static readonly string[] HostVariables = ["PATH", "HOME", "USER", "TMPDIR", "LANG", "LC_ALL", "DOTNET_ROOT", "DOTNET_ROOT_X64"];

    private readonly Process process;
    private readonly StreamWriter log;

    private ServiceProcess(string name, Process process, StreamWriter log, string logFile, Uri baseAddress)
    {
        Name = name;
        this.process = process;
        this.log = log;
        LogFile = logFile;
        BaseAddress = baseAddress;
    }

    public string Name { get; }

    public string LogFile { get; }

    public Uri BaseAddress { get; }

    public bool HasExited => process.HasExited;

    public int? ExitCode => process.HasExited ? process.ExitCode : null;

    public int ProcessId => process.Id;

    /// <summary>The most resident memory the process had (Linux <c>VmHWM</c>), as last read by <see cref="SamplePeakMemory"/>.</summary>
    public long PeakResidentBytes { get; private set; }

    /// <summary>Reads the process's peak resident memory so far (a no-op where /proc is not there or it has ended).</summary>
    public long SamplePeakMemory()
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{process.Id}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal)
                    && long.TryParse(line["VmHWM:".Length..].Trim().Split(' ')[0], out var kib))
                {
                    PeakResidentBytes = Math.Max(PeakResidentBytes, kib * 1024);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
        }

        return PeakResidentBytes;
    }

    /// <summary>SIGKILL: the process ends at once, mid-write, without shutting anything down (a crash, the OOM killer).</summary>
    public async Task KillAsync()
    {
        SamplePeakMemory();
        if (!process.HasExited)
        {
            _ = kill(process.Id, 9);
        }

        await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
    }

    /// <param name="appendLog">Add to the log file (a restarted service) instead of starting it afresh.</param>
    public static ServiceProcess Start(string name, string dll, IEnumerable<KeyValuePair<string, string>> environment,
        string logFile, Uri baseAddress, bool appendLog = false)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = Path.GetDirectoryName(dll)!,
        };
        startInfo.ArgumentList.Add(dll);
        var inherited = HostVariables
            .Select(v => (Name: v, Value: Environment.GetEnvironmentVariable(v)))
            .Where(v => v.Value is not null)
            .ToList();
        startInfo.Environment.Clear();
        foreach (var (variable, value) in inherited)
        {
            startInfo.Environment[variable] = value;
        }

        startInfo.Environment["DOTNET_NOLOGO"] = "1";
        foreach (var (key, value) in environment)
        {
            startInfo.Environment[key] = value;
        }

        var writer = new StreamWriter(logFile, append: appendLog) { AutoFlush = true };
        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        var gate = new object();
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (gate) writer.WriteLine(e.Data); };
        process.Start();
        process.StandardInput.Close();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return new ServiceProcess(name, process, writer, logFile, baseAddress);
    }

    /// <summary>The last <paramref name="lines"/> lines of the service's output.</summary>
    public string Tail(int lines = 30)
    {
        try
        {
            using var stream = new FileStream(LogFile, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
            using var reader = new StreamReader(stream);
            var all = reader.ReadToEnd().Split('\n');
            return string.Join('\n', all.TakeLast(lines)).TrimEnd();
        }
        catch (IOException ex)
        {
            return $"(log unreadable: {ex.Message})";
        }
    }

    public async ValueTask DisposeAsync()
    {
        SamplePeakMemory();
        if (!process.HasExited)
        {
            _ = kill(process.Id, 15); // SIGTERM: graceful shutdown, as docker stop does
            using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(10));
            try
            {
                await process.WaitForExitAsync(wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                await process.WaitForExitAsync(CancellationToken.None).ConfigureAwait(false);
            }
        }

        process.Dispose();
        await log.DisposeAsync().ConfigureAwait(false);
    }

    [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // One blittable call: LibraryImport would need AllowUnsafeBlocks.
    private static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
}
