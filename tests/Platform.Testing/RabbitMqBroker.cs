using System.Diagnostics;
using System.Globalization;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Xunit;

namespace Platform.Testing;

/// <summary>
/// A process-wide RabbitMQ broker for tests, started lazily on first use.
/// </summary>
/// <remarks>
/// <para>Resolution order of <see cref="GetAsync"/>:</para>
/// <list type="number">
/// <item><c>RABBITMQ_URL</c> set: that broker is used as is. <see cref="CreateVirtualHostAsync"/> then needs
/// <c>rabbitmqctl</c> access to its node (<c>RABBITMQ_CTL_NODE</c>, else the default node, and only when the URL's
/// host is this machine); without it every test shares the URL's virtual host.</item>
/// <item>Otherwise a private, throw-away node <c>platform-test-&lt;pid&gt;@localhost</c> is started from the local
/// RabbitMQ installation on free ports (AMQP on 127.0.0.1), with its data in a temp folder, an own administrator
/// user with a random password, no plugins and a random Erlang cookie. It is stopped when the process exits
/// (and by a small watchdog process should this process be killed), and its folder is deleted.</item>
/// <item>Neither: <see cref="RabbitMqUnavailableException"/>. Use <see cref="RequireAsync"/> in tests: it skips
/// the test in that case, except when <c>CI</c> is set, where it fails.</item>
/// </list>
/// <para>Every call of <c>rabbitmqctl</c> starts an Erlang VM (about 0.5 s); at most two run at a time per process.
/// <see cref="RestartAsync"/>, <see cref="StopAppAsync"/> and <see cref="CloseAllConnectionsAsync"/> without a
/// virtual host affect every test of the process: run such tests in a collection with
/// <c>DisableParallelization = true</c>.</para>
/// </remarks>
public sealed class RabbitMqBroker
{
    /// <summary>The reason given when a broker test is skipped.</summary>
    public const string NotInstalledMessage =
        "RabbitMQ is not installed (apt-get install -y rabbitmq-server) and RABBITMQ_URL is not set";

    /// <summary>Environment variable with the AMQP URL of an existing broker.</summary>
    public const string UrlVariable = "RABBITMQ_URL";

    /// <summary>Environment variable naming the Erlang node of the <see cref="UrlVariable"/> broker for rabbitmqctl.</summary>
    public const string CtlNodeVariable = "RABBITMQ_CTL_NODE";

    /// <summary>Environment variable overriding the start timeout of the private node, in seconds (default 180, as infra/scripts/test.sh sets it).</summary>
    public const string StartTimeoutVariable = "RABBITMQ_START_TIMEOUT_SECONDS";

    /// <summary>Set to 1 to behave as if RabbitMQ were not installed (broker tests skip locally, fail on CI).</summary>
    public const string DisableVariable = "PLATFORM_NO_RABBITMQ";

    private const string PrivateUser = "platform";
    private static readonly TimeSpan CtlTimeout = TimeSpan.FromSeconds(60);
    private static readonly Lazy<Task<RabbitMqBroker>> Instance =
        new(() => Task.Run(CreateAsync), LazyThreadSafetyMode.ExecutionAndPublication);

    private readonly string scheme;
    private readonly Installation? installation;
    private readonly PrivateNode? node;
    private readonly string? ctlNode;
    private readonly SemaphoreSlim ctlGate = new(2, 2);
    private readonly Lazy<Task<string?>> ctlProbe;

    private RabbitMqBroker(
        string scheme, string host, int port, string username, string password, string virtualHost,
        Installation? installation, PrivateNode? node, string? ctlNode, string? ctlUnavailableReason)
    {
        this.scheme = scheme;
        Host = host;
        Port = port;
        Username = username;
        Password = password;
        VirtualHost = virtualHost;
        this.installation = installation;
        this.node = node;
        this.ctlNode = ctlNode;
        ctlProbe = new Lazy<Task<string?>>(
            () => ctlUnavailableReason is not null ? Task.FromResult<string?>(ctlUnavailableReason) : ProbeCtlAsync(),
            LazyThreadSafetyMode.ExecutionAndPublication);

        AmqpUri = GetAmqpUri(virtualHost);
    }

    /// <summary>AMQP URI of the broker's default virtual host, with credentials (<c>amqp://user:pass@host:port/vhost</c>).</summary>
    public Uri AmqpUri { get; }

    public string Host { get; }

    public int Port { get; }

    public string Username { get; }

    public string Password { get; }

    /// <summary>The default virtual host (<c>/</c> for the private node).</summary>
    public string VirtualHost { get; }

    /// <summary>True for the private node this process started; false for <c>RABBITMQ_URL</c>.</summary>
    public bool IsPrivateNode => node is not null;

    /// <summary>Erlang node name of the private node (null for <c>RABBITMQ_URL</c>).</summary>
    public string? NodeName => node?.Name;

    /// <summary>The private node's log file (null for <c>RABBITMQ_URL</c>).</summary>
    public string? LogFile => node?.LogFile;

    /// <summary>Time the private node took to start (zero for <c>RABBITMQ_URL</c>).</summary>
    public TimeSpan StartupTime => node?.StartupTime ?? TimeSpan.Zero;

    /// <summary>The process-wide broker; started (or resolved) on the first call, the same task afterwards.</summary>
    /// <exception cref="RabbitMqUnavailableException">RabbitMQ is not installed and <c>RABBITMQ_URL</c> is not set.</exception>
    public static Task<RabbitMqBroker> GetAsync() => Instance.Value;

    /// <summary>
    /// <see cref="GetAsync"/> for tests: skips the calling test when RabbitMQ is unavailable, unless the environment
    /// variable <c>CI</c> is set (not empty, not <c>false</c>/<c>0</c>): then it fails, so CI never silently skips
    /// broker tests. Other start failures always fail.
    /// </summary>
    public static async Task<RabbitMqBroker> RequireAsync()
    {
        try
        {
            return await GetAsync().ConfigureAwait(false);
        }
        catch (RabbitMqUnavailableException ex)
        {
            if (IsCi)
            {
                throw new RabbitMqUnavailableException(
                    $"{ex.Message}. CI={Environment.GetEnvironmentVariable("CI")} is set, so broker tests fail " +
                    "instead of being skipped: install rabbitmq-server or set RABBITMQ_URL.", ex);
            }

            Assert.Skip(NotInstalledMessage);
            throw; // not reached
        }
    }

    /// <summary>True when the environment variable <c>CI</c> is set to something other than empty, <c>false</c> or <c>0</c>.</summary>
    public static bool IsCi
    {
        get
        {
            var ci = Environment.GetEnvironmentVariable("CI");
            return !string.IsNullOrWhiteSpace(ci)
                && !ci.Equals("false", StringComparison.OrdinalIgnoreCase)
                && ci.Trim() != "0";
        }
    }

    /// <summary>AMQP URI (with credentials) of <paramref name="virtualHost"/> on this broker.</summary>
    public Uri GetAmqpUri(string virtualHost)
    {
        ArgumentNullException.ThrowIfNull(virtualHost);
        var host = Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host;
        return new Uri(
            $"{scheme}://{Uri.EscapeDataString(Username)}:{Uri.EscapeDataString(Password)}@{host}:{Port}/" +
            Uri.EscapeDataString(virtualHost));
    }

    /// <summary>
    /// Creates a new, empty virtual host whose name starts with <paramref name="name"/> (sanitised, plus a random
    /// suffix so that parallel runs and earlier runs never share it) and gives <see cref="Username"/> all permissions
    /// on it. Returns the name to use. When rabbitmqctl cannot reach a <c>RABBITMQ_URL</c> broker, returns
    /// <see cref="VirtualHost"/> instead (tests then share it).
    /// </summary>
    public async Task<string> CreateVirtualHostAsync(string name, CancellationToken cancellationToken = default)
    {
        var vhost = $"{Sanitize(name)}-{RandomToken(8)}";
        if (await GetCtlUnavailableReasonAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            return VirtualHost;
        }

        await RunCtlAsync(["add_vhost", vhost], cancellationToken).ConfigureAwait(false);
        await RunCtlAsync(["set_permissions", "-p", vhost, Username, ".*", ".*", ".*"], cancellationToken)
            .ConfigureAwait(false);
        return vhost;
    }

    /// <summary>Deletes a virtual host made by <see cref="CreateVirtualHostAsync"/> (no-op for the default one).</summary>
    public async Task DeleteVirtualHostAsync(string name, CancellationToken cancellationToken = default)
    {
        if (name == VirtualHost
            || await GetCtlUnavailableReasonAsync(cancellationToken).ConfigureAwait(false) is not null)
        {
            return;
        }

        await RunCtlAsync(["delete_vhost", name], cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Closes client connections (<c>rabbitmqctl close_all_connections</c>): those of <paramref name="virtualHost"/>,
    /// or all of the node when null. Clients see a connection closed by the broker (CONNECTION_FORCED).
    /// </summary>
    public Task CloseAllConnectionsAsync(string? virtualHost = null, CancellationToken cancellationToken = default)
    {
        const string reason = "closed by a test (Platform.Testing.RabbitMqBroker)";
        return virtualHost is null
            ? RequiredCtlAsync(["close_all_connections", "--global", reason], cancellationToken)
            : RequiredCtlAsync(["close_all_connections", "-p", virtualHost, reason], cancellationToken);
    }

    /// <summary>
    /// Restarts the broker application (<c>stop_app</c>, optional <paramref name="downtime"/>, <c>start_app</c>) and
    /// waits until AMQP accepts connections again. Connections drop; durable queues and their persistent messages
    /// survive, other queues do not.
    /// </summary>
    public async Task RestartAsync(TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        await StopAppAsync(cancellationToken).ConfigureAwait(false);
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
        }

        await StartAppAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Stops the broker application (the Erlang VM stays up): the broker is unreachable until <see cref="StartAppAsync"/>.</summary>
    public Task StopAppAsync(CancellationToken cancellationToken = default) =>
        RequiredCtlAsync(["stop_app"], cancellationToken);

    /// <summary>Starts the broker application again and waits until AMQP accepts connections.</summary>
    public async Task StartAppAsync(CancellationToken cancellationToken = default)
    {
        await RequiredCtlAsync(["start_app"], cancellationToken).ConfigureAwait(false);
        await RequiredCtlAsync(["await_startup"], cancellationToken).ConfigureAwait(false);
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (!await CanConnectAsync(Host, Port, cancellationToken).ConfigureAwait(false))
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException($"RabbitMQ at {Host}:{Port} did not accept connections 30 s after start_app.");
            }

            await Task.Delay(100, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Kills the private node's Erlang VM with SIGKILL (no clean shutdown: what a crash or the OOM killer does), waits
    /// <paramref name="downtime"/>, and boots it again from the same folder on the same ports. Durable queues and their
    /// persistent messages come back; clients must reconnect.
    /// </summary>
    /// <exception cref="InvalidOperationException">The broker is a <c>RABBITMQ_URL</c> broker, not this process's node.</exception>
    public async Task KillAndRestartAsync(TimeSpan downtime = default, CancellationToken cancellationToken = default)
    {
        var privateNode = node ?? throw new InvalidOperationException($"Only the private node can be killed, not {this}.");
        await Task.Run(() => privateNode.Kill(TimeSpan.FromSeconds(30)), cancellationToken).ConfigureAwait(false);
        if (downtime > TimeSpan.Zero)
        {
            await Task.Delay(downtime, cancellationToken).ConfigureAwait(false);
        }

        await BootAsync(TimeSpan.FromSeconds(120)).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs <c>rabbitmqctl</c> against this broker's node (node, cookie and quiet flag are added) and returns its
    /// standard output. Throws <see cref="RabbitMqCommandException"/> (with stderr) when it fails.
    /// </summary>
    public Task<string> RabbitMqCtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken = default) =>
        RequiredCtlAsync(arguments, cancellationToken);

    /// <summary>Stops the private node now (<c>rabbitmqctl stop</c>) and deletes its folder; later calls fail. No-op for <c>RABBITMQ_URL</c>.</summary>
    public async Task StopAsync(CancellationToken cancellationToken = default)
    {
        if (node is null || !node.MarkStopped())
        {
            return;
        }

        try
        {
            await RunCtlAsync(["stop", "--idempotent", node.PidFile], cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            node.KillAndDelete(TimeSpan.FromSeconds(10));
        }
    }

    public override string ToString() =>
        node is null
            ? $"RabbitMQ {scheme}://{Host}:{Port} ({UrlVariable})"
            : $"private RabbitMQ node {node.Name} on {Host}:{Port} (folder {node.Directory}, started in {node.StartupTime.TotalSeconds:0.0} s)";

    // ---------------------------------------------------------------- resolution and start

    private static async Task<RabbitMqBroker> CreateAsync()
    {
        var installation = Environment.GetEnvironmentVariable(DisableVariable) is "1" or "true"
            ? null
            : Installation.Find();
        var url = Environment.GetEnvironmentVariable(UrlVariable);
        if (!string.IsNullOrWhiteSpace(url))
        {
            return FromUrl(url.Trim(), installation);
        }

        if (installation is null)
        {
            throw new RabbitMqUnavailableException(
                Environment.GetEnvironmentVariable(DisableVariable) is "1" or "true"
                    ? $"{NotInstalledMessage} ({DisableVariable} is set)"
                    : $"{NotInstalledMessage} (looked for rabbitmq-server on PATH, in /usr/sbin, /usr/local/sbin and /usr/lib/rabbitmq/bin)");
        }

        return await StartPrivateNodeAsync(installation).ConfigureAwait(false);
    }

    private static RabbitMqBroker FromUrl(string url, Installation? installation)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || (uri.Scheme != "amqp" && uri.Scheme != "amqps"))
        {
            throw new InvalidOperationException($"{UrlVariable} is not an amqp:// or amqps:// URL: '{url}'.");
        }

        var username = "guest";
        var password = "guest";
        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            var parts = uri.UserInfo.Split(':', 2);
            username = Uri.UnescapeDataString(parts[0]);
            password = parts.Length > 1 ? Uri.UnescapeDataString(parts[1]) : "";
        }

        var path = uri.AbsolutePath.TrimStart('/');
        var vhost = path.Length == 0 ? "/" : Uri.UnescapeDataString(path);
        var port = uri.IsDefaultPort || uri.Port <= 0 ? (uri.Scheme == "amqps" ? 5671 : 5672) : uri.Port;
        var host = uri.DnsSafeHost;

        var ctlNode = Environment.GetEnvironmentVariable(CtlNodeVariable);
        string? unavailable = null;
        if (installation is null)
        {
            unavailable = "rabbitmqctl is not installed";
        }
        else if (string.IsNullOrWhiteSpace(ctlNode) && !IsLocalHost(host))
        {
            unavailable = $"{UrlVariable} points to {host}, not this machine, and {CtlNodeVariable} is not set";
        }

        return new RabbitMqBroker(
            uri.Scheme, host, port, username, password, vhost, installation, node: null,
            string.IsNullOrWhiteSpace(ctlNode) ? null : ctlNode.Trim(), unavailable);
    }

    private static async Task<RabbitMqBroker> StartPrivateNodeAsync(Installation installation)
    {
        // Several test projects may boot a node at the same time; on a slow machine each takes a good part of a minute.
        var timeout = TimeSpan.FromSeconds(180);
        if (int.TryParse(Environment.GetEnvironmentVariable(StartTimeoutVariable), NumberStyles.Integer,
                CultureInfo.InvariantCulture, out var seconds) && seconds > 0)
        {
            timeout = TimeSpan.FromSeconds(seconds);
        }

        const int attempts = 3;
        for (var attempt = 1; ; attempt++)
        {
            var node = PrivateNode.Create(installation, attempt);
            var broker = new RabbitMqBroker(
                "amqp", "127.0.0.1", node.AmqpPort, PrivateUser, node.Password, "/", installation, node,
                ctlNode: null, ctlUnavailableReason: null);
            try
            {
                await broker.BootAsync(timeout).ConfigureAwait(false);
                return broker;
            }
            catch (RabbitMqStartException ex) when (attempt < attempts && ex.PortInUse)
            {
                // Another process took one of the ports between FreePort and the node binding it: new ports.
                node.KillAndDelete(TimeSpan.FromSeconds(5));
            }
            catch
            {
                node.KillAndDelete(TimeSpan.FromSeconds(5));
                throw;
            }
        }
    }

    private async Task BootAsync(TimeSpan timeout)
    {
        var node = this.node!;
        var stopwatch = Stopwatch.StartNew();
        var start = await ProcessRunner.RunAsync(
            installation!.ServerPath, ["-detached"], node.ServerEnvironment, TimeSpan.FromSeconds(60),
            CancellationToken.None).ConfigureAwait(false);
        if (start.ExitCode != 0)
        {
            throw new RabbitMqStartException(
                $"'{installation.ServerPath} -detached' for node {node.Name} failed.{Environment.NewLine}" +
                $"{start.Describe()}{Environment.NewLine}{node.Diagnostics()}", node.PortInUse());
        }

        if (node.MarkBooted())
        {
            node.StartWatchdog();
            node.RegisterProcessExit();
        }

        // Wait for the AMQP port: cheap to poll (every rabbitmqctl call boots an Erlang VM), and the broker opens it
        // last, after the default user exists. Then rabbitmqctl await_startup makes sure that it is our node that
        // answers and that it finished booting (and that rabbitmqctl reaches it with our cookie, which vhost
        // creation needs). Fail fast when the boot visibly failed.
        RabbitMqCommandException? lastCtlError = null;
        while (true)
        {
            if (node.BootFailure() is { } failure)
            {
                throw new RabbitMqStartException(
                    $"RabbitMQ node {node.Name} failed to boot: {failure}{Environment.NewLine}{node.Diagnostics()}",
                    node.PortInUse());
            }

            if (stopwatch.Elapsed > timeout)
            {
                var ctl = lastCtlError is null ? "" : $"Last rabbitmqctl error:{Environment.NewLine}{lastCtlError.Message}{Environment.NewLine}";
                throw new RabbitMqStartException(
                    $"RabbitMQ node {node.Name} did not start within {timeout.TotalSeconds:0} s " +
                    $"(set {StartTimeoutVariable} to wait longer).{Environment.NewLine}{ctl}{node.Diagnostics()}",
                    node.PortInUse(), lastCtlError);
            }

            if (await CanConnectAsync(Host, Port, CancellationToken.None).ConfigureAwait(false))
            {
                try
                {
                    await RunCtlAsync(["await_startup"], CancellationToken.None).ConfigureAwait(false);
                    break;
                }
                catch (RabbitMqCommandException ex)
                {
                    // Not registered yet, or someone else listens on the port and our node is about to fail.
                    lastCtlError = ex;
                    await Task.Delay(500).ConfigureAwait(false);
                    continue;
                }
            }

            await Task.Delay(150).ConfigureAwait(false);
        }

        node.StartupTime = stopwatch.Elapsed;
    }

    // ---------------------------------------------------------------- rabbitmqctl

    private async Task<string?> GetCtlUnavailableReasonAsync(CancellationToken cancellationToken)
    {
        if (node is not null)
        {
            return null;
        }

        return await ctlProbe.Value.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task<string?> ProbeCtlAsync()
    {
        try
        {
            await RunCtlAsync(["await_startup"], CancellationToken.None).ConfigureAwait(false);
            return null;
        }
        catch (Exception ex) when (ex is RabbitMqCommandException or IOException or System.ComponentModel.Win32Exception)
        {
            return $"rabbitmqctl cannot reach {ctlNode ?? "the default node"}: {ex.Message}";
        }
    }

    private async Task<string> RequiredCtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (await GetCtlUnavailableReasonAsync(cancellationToken).ConfigureAwait(false) is { } reason)
        {
            throw new InvalidOperationException(
                $"rabbitmqctl {string.Join(' ', arguments)} is not possible for {this}: {reason}.");
        }

        return await RunCtlAsync(arguments, cancellationToken).ConfigureAwait(false);
    }

    private async Task<string> RunCtlAsync(IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        if (installation is null)
        {
            throw new InvalidOperationException("rabbitmqctl is not installed.");
        }

        var args = new List<string>();
        IReadOnlyDictionary<string, string?> environment;
        if (node is not null)
        {
            args.AddRange(["-n", node.Name, "--erlang-cookie", node.Cookie]);
            environment = node.CtlEnvironment;
        }
        else
        {
            if (ctlNode is not null)
            {
                args.AddRange(["-n", ctlNode]);
            }

            environment = ProcessRunner.Utf8Locale;
        }

        args.Add("-q");
        args.AddRange(arguments);

        await ctlGate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var result = await ProcessRunner.RunAsync(
                installation.CtlPath, args, environment, CtlTimeout, cancellationToken).ConfigureAwait(false);
            if (result.ExitCode != 0)
            {
                throw new RabbitMqCommandException(result, redact: node?.Cookie);
            }

            return result.StandardOutput;
        }
        finally
        {
            ctlGate.Release();
        }
    }

    // ---------------------------------------------------------------- helpers

    private static async Task<bool> CanConnectAsync(string host, int port, CancellationToken cancellationToken)
    {
        using var client = new TcpClient();
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(TimeSpan.FromSeconds(2));
        try
        {
            await client.ConnectAsync(host, port, cts.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is SocketException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    private static bool IsLocalHost(string host) =>
        host is "localhost" or "127.0.0.1" or "::1"
        || host.Equals(Environment.MachineName, StringComparison.OrdinalIgnoreCase)
        || host.StartsWith("127.", StringComparison.Ordinal);

    private static string Sanitize(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var builder = new StringBuilder();
        foreach (var c in name)
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '-');
        }

        var result = builder.ToString().Trim('-');
        if (result.Length > 60)
        {
            result = result[..60];
        }

        return result.Length == 0 ? "test" : result;
    }

    internal static string RandomToken(int length)
    {
        const string alphabet = "abcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, length);
    }

    // ---------------------------------------------------------------- nested types

    /// <summary>Where rabbitmq-server/rabbitmqctl are, and as whom the server runs.</summary>
    private sealed record Installation(string ServerPath, string CtlPath, string? ServiceUser)
    {
        private const string DebianLibDirectory = "/usr/lib/rabbitmq/bin";

        public static Installation? Find()
        {
            if (OperatingSystem.IsWindows())
            {
                return null;
            }

            var libServer = Path.Combine(DebianLibDirectory, "rabbitmq-server");
            if (File.Exists(libServer))
            {
                // Debian/Ubuntu/RPM layout. /usr/sbin/rabbitmq-server is a wrapper that, for root, runs the real
                // script as the 'rabbitmq' user (su rabbitmq), and refuses to run for anyone else. So: root goes
                // through the wrapper (folders must belong to rabbitmq), other users run the real scripts directly
                // as themselves (folders stay theirs).
                if (Environment.IsPrivilegedProcess
                    && File.Exists("/usr/sbin/rabbitmq-server") && File.Exists("/usr/sbin/rabbitmqctl")
                    && UserExists("rabbitmq"))
                {
                    return new Installation("/usr/sbin/rabbitmq-server", "/usr/sbin/rabbitmqctl", "rabbitmq");
                }

                return new Installation(libServer, Path.Combine(DebianLibDirectory, "rabbitmqctl"), null);
            }

            // Generic Unix layout (tarball, Homebrew, the official container image): run as the current user.
            var server = FindExecutable("rabbitmq-server");
            if (server is null)
            {
                return null;
            }

            var ctl = Path.Combine(Path.GetDirectoryName(server)!, "rabbitmqctl");
            return File.Exists(ctl) ? new Installation(server, ctl, null) : null;
        }

        private static string? FindExecutable(string name)
        {
            var directories = (Environment.GetEnvironmentVariable("PATH") ?? "")
                .Split(':', StringSplitOptions.RemoveEmptyEntries)
                .Concat(["/usr/sbin", "/usr/local/sbin", "/opt/rabbitmq/sbin"]);
            return directories.Select(d => Path.Combine(d, name)).FirstOrDefault(File.Exists);
        }

        private static bool UserExists(string user)
        {
            try
            {
                return File.ReadLines("/etc/passwd").Any(l => l.StartsWith(user + ":", StringComparison.Ordinal));
            }
            catch (IOException)
            {
                return false;
            }
        }
    }

    /// <summary>The private node: its names, ports, folder and clean-up.</summary>
    private sealed class PrivateNode
    {
        private const int SigKill = 9;
        private const int SigTerm = 15;
        private int stopped;
        private int booted;
        private bool watchdogStarted;

        private PrivateNode(Installation installation, int attempt)
        {
            var pid = Environment.ProcessId;
            Name = attempt == 1 ? $"platform-test-{pid}@localhost" : $"platform-test-{pid}-{attempt}@localhost";
            AmqpPort = FreePort.Next();
            DistributionPort = FreePort.Next();
            Password = RandomToken(24);
            Cookie = RandomToken(32).ToUpperInvariant();

            // Root runs the server as 'rabbitmq', which may not be able to enter $TMPDIR (e.g. under /root): use /tmp.
            var tempRoot = installation.ServiceUser is not null && System.IO.Directory.Exists("/tmp")
                ? "/tmp"
                : Path.GetTempPath();
            Directory = Path.Combine(tempRoot, $"platform-rabbitmq-{pid}-{RandomToken(6)}");
            var mnesia = Path.Combine(Directory, "mnesia");
            var logs = Path.Combine(Directory, "log");
            System.IO.Directory.CreateDirectory(mnesia);
            System.IO.Directory.CreateDirectory(logs);
            PidFile = Path.Combine(Directory, "node.pid");
            LogFile = Path.Combine(logs, Name + ".log");
            CrashDump = Path.Combine(logs, "erl_crash.dump");

            var plugins = Path.Combine(Directory, "enabled_plugins");
            File.WriteAllText(plugins, "[].\n");
            var config = Path.Combine(Directory, "rabbitmq.conf");
            File.WriteAllText(config, string.Join('\n',
                $"default_user = {PrivateUser}",
                $"default_pass = {Password}",
                "default_vhost = /",
                "default_user_tags.administrator = true",
                "default_permissions.configure = .*",
                "default_permissions.read = .*",
                "default_permissions.write = .*",
                "log.console = false",
                "log.file.level = info",
                ""));
            var envFile = Path.Combine(Directory, "rabbitmq-env.conf");
            File.WriteAllText(envFile, "# intentionally empty: keeps /etc/rabbitmq/rabbitmq-env.conf out\n");

            if (installation.ServiceUser is { } user)
            {
                var chown = ProcessRunner.RunAsync(
                    "chown", ["-R", $"{user}:", Directory], null, TimeSpan.FromSeconds(30), CancellationToken.None)
                    .GetAwaiter().GetResult();
                if (chown.ExitCode != 0)
                {
                    throw new RabbitMqStartException($"chown of {Directory} to {user} failed.{Environment.NewLine}{chown.Describe()}", portInUse: false);
                }
            }

            if (!OperatingSystem.IsWindows())
            {
                // Holds the broker password in rabbitmq.conf.
                File.SetUnixFileMode(Directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }

            var server = ProcessRunner.CleanEnvironment();
            server["RABBITMQ_NODENAME"] = Name;
            server["RABBITMQ_NODE_IP_ADDRESS"] = "127.0.0.1";
            server["RABBITMQ_NODE_PORT"] = AmqpPort.ToString(CultureInfo.InvariantCulture);
            server["RABBITMQ_DIST_PORT"] = DistributionPort.ToString(CultureInfo.InvariantCulture);
            server["RABBITMQ_MNESIA_BASE"] = mnesia;
            server["RABBITMQ_LOG_BASE"] = logs;
            server["RABBITMQ_ENABLED_PLUGINS_FILE"] = plugins;
            server["RABBITMQ_CONFIG_FILE"] = config;
            server["RABBITMQ_ADVANCED_CONFIG_FILE"] = Path.Combine(Directory, "advanced.config");
            server["RABBITMQ_CONF_ENV_FILE"] = envFile;
            server["RABBITMQ_PID_FILE"] = PidFile;
            server["ERL_CRASH_DUMP"] = CrashDump;
            // Own cookie (no dependence on ~/.erlang.cookie of whoever runs the node or the CLI), distribution on
            // loopback only, and no scheduler busy-waiting (matters on small CI machines running several nodes).
            server["RABBITMQ_SERVER_ADDITIONAL_ERL_ARGS"] =
                $"-setcookie {Cookie} -kernel inet_dist_use_interface {{127,0,0,1}} +sbwt none +sbwtdcpu none +sbwtdio none";
            var ctl = ProcessRunner.CleanEnvironment();
            if (installation.ServiceUser is null)
            {
                // Running as ourselves: keep Erlang's ~/.erlang.cookie handling inside the node folder.
                server["HOME"] = Directory;
                ctl["HOME"] = Directory;
            }

            ServerEnvironment = server;
            CtlEnvironment = ctl;
        }

        public string Name { get; }

        public int AmqpPort { get; }

        public int DistributionPort { get; }

        public string Password { get; }

        public string Cookie { get; }

        public string Directory { get; }

        public string PidFile { get; }

        public string LogFile { get; }

        public string CrashDump { get; }

        public TimeSpan StartupTime { get; set; }

        public IReadOnlyDictionary<string, string?> ServerEnvironment { get; }

        public IReadOnlyDictionary<string, string?> CtlEnvironment { get; }

        public static PrivateNode Create(Installation installation, int attempt) => new(installation, attempt);

        public bool MarkStopped() => Interlocked.Exchange(ref stopped, 1) == 0;

        /// <summary>True the first time only: a node booted again after <see cref="Kill"/> keeps its watchdog.</summary>
        public bool MarkBooted() => Interlocked.Exchange(ref booted, 1) == 0;

        /// <summary>SIGKILL to the VM, and wait until it is gone; the folder stays for the next boot.</summary>
        public void Kill(TimeSpan timeout)
        {
            var pid = ReadPid();
            if (pid <= 0)
            {
                throw new InvalidOperationException($"RabbitMQ node {Name} has no pid file ({PidFile}).");
            }

            Signal(pid, SigKill);
            var deadline = DateTime.UtcNow + timeout;
            while (IsAlive(pid))
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"RabbitMQ node {Name} (pid {pid}) was still alive {timeout.TotalSeconds:0} s after SIGKILL.");
                }

                Thread.Sleep(50);
            }

            File.Delete(PidFile);
        }

        /// <summary>
        /// At process exit: only signal the node (SIGTERM, a graceful stop like <c>rabbitmqctl stop</c>) and return at
        /// once; the watchdog waits for the node to end and deletes the folder. Blocking here (a rabbitmqctl stop
        /// takes seconds) makes xunit v3 print "Waiting 10 seconds for foreground threads to exit..." into the test
        /// process's output, which the VSTest adapter may fail to parse. Without a watchdog, stop synchronously.
        /// </summary>
        public void RegisterProcessExit() =>
            AppDomain.CurrentDomain.ProcessExit += (_, _) =>
            {
                if (!MarkStopped())
                {
                    return;
                }

                if (watchdogStarted)
                {
                    try
                    {
                        var pid = ReadPid();
                        if (pid > 0)
                        {
                            Signal(pid, SigTerm);
                        }
                    }
                    catch (Exception ex) when (ex is IOException or DllNotFoundException or EntryPointNotFoundException)
                    {
                        // The watchdog stops it.
                    }
                }
                else
                {
                    KillAndDelete(TimeSpan.FromSeconds(10));
                }
            };

        /// <summary>
        /// A detached shell that outlives this process: once this process is gone (normal exit or killed), it stops
        /// the node (SIGTERM, then SIGKILL after 30 s), waits for it to end and deletes the folder.
        /// </summary>
        public void StartWatchdog()
        {
            const string script = """
                exec </dev/null >/dev/null 2>&1
                parent="$1"; pidfile="$2"; dir="$3"; pid=""
                while kill -0 "$parent" 2>/dev/null; do
                  # Read every time: a node killed and booted again (KillAndRestartAsync) has a new pid.
                  if [ -s "$pidfile" ]; then pid=$(cat "$pidfile"); fi
                  sleep 1
                done
                # Gone already (StopAsync, or ProcessExit without a watchdog): nothing to do, and a cached pid
                # might belong to someone else by now.
                [ -d "$dir" ] || exit 0
                if [ -z "$pid" ]; then
                  # This process died while the node was booting: give it time to write its pid file.
                  i=0; while [ ! -s "$pidfile" ] && [ -d "$dir" ] && [ $i -lt 40 ]; do sleep 0.5; i=$((i+1)); done
                  if [ -s "$pidfile" ]; then pid=$(cat "$pidfile"); fi
                fi
                if [ -n "$pid" ]; then
                  kill -TERM "$pid" 2>/dev/null
                  i=0; while kill -0 "$pid" 2>/dev/null && [ $i -lt 60 ]; do sleep 0.5; i=$((i+1)); done
                  kill -KILL "$pid" 2>/dev/null
                fi
                rm -rf "$dir"
                """;
            string[] shell = ["sh", "-c", script, "platform-rabbitmq-watchdog",
                Environment.ProcessId.ToString(CultureInfo.InvariantCulture), PidFile, Directory];
            var setsid = File.Exists("/usr/bin/setsid") ? "/usr/bin/setsid" : File.Exists("/bin/setsid") ? "/bin/setsid" : null;
            var startInfo = new ProcessStartInfo(setsid ?? "sh")
            {
                UseShellExecute = false,
                RedirectStandardInput = true,
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            if (setsid is not null)
            {
                startInfo.ArgumentList.Add("-f");
            }

            foreach (var arg in setsid is null ? shell[1..] : shell)
            {
                startInfo.ArgumentList.Add(arg);
            }

            try
            {
                using var process = Process.Start(startInfo);
                process?.StandardInput.Close();
                watchdogStarted = process is not null;
            }
            catch (Exception ex) when (ex is System.ComponentModel.Win32Exception or IOException)
            {
                // Without it, ProcessExit stops the node synchronously.
            }
        }

        /// <summary>Stops the node by signal (graceful, then forced after <paramref name="grace"/>) and deletes the folder.</summary>
        public void KillAndDelete(TimeSpan grace)
        {
            try
            {
                var pid = ReadPid();
                if (pid > 0 && IsAlive(pid))
                {
                    Signal(pid, SigTerm);
                    var deadline = DateTime.UtcNow + grace;
                    while (IsAlive(pid) && DateTime.UtcNow < deadline)
                    {
                        Thread.Sleep(50);
                    }

                    if (IsAlive(pid))
                    {
                        Signal(pid, SigKill);
                    }
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DllNotFoundException or EntryPointNotFoundException)
            {
                // Best effort; the watchdog retries.
            }

            for (var attempt = 0; attempt < 5; attempt++)
            {
                try
                {
                    if (System.IO.Directory.Exists(Directory))
                    {
                        System.IO.Directory.Delete(Directory, recursive: true);
                    }

                    return;
                }
                catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
                {
                    Thread.Sleep(100);
                }
            }
        }

        /// <summary>A reason when the boot visibly failed (log, crash dump, dead process), else null.</summary>
        public string? BootFailure()
        {
            if (File.Exists(CrashDump))
            {
                return "the Erlang VM wrote a crash dump (" + CrashDumpSlogan() + ")";
            }

            var pid = ReadPid();
            if (pid > 0 && !IsAlive(pid))
            {
                return $"the node's process {pid} exited";
            }

            var log = TryReadText(LogFile);
            return log is not null && log.Contains("BOOT FAILED", StringComparison.Ordinal) ? "BOOT FAILED in the node log" : null;
        }

        /// <summary>Whether the node log or crash dump says that a port was taken (then a retry with new ports helps).</summary>
        public bool PortInUse()
        {
            var text = (TryReadText(LogFile) ?? "") + (File.Exists(CrashDump) ? CrashDumpSlogan() : "");
            return text.Contains("eaddrinuse", StringComparison.OrdinalIgnoreCase)
                || text.Contains("could_not_start_listener", StringComparison.Ordinal);
        }

        /// <summary>Node name, ports, folder, the crash dump's slogan and the end of the node log, for error messages.</summary>
        public string Diagnostics()
        {
            var builder = new StringBuilder();
            builder.AppendLine(CultureInfo.InvariantCulture,
                $"Node {Name}: AMQP port {AmqpPort}, distribution port {DistributionPort}, folder {Directory}.");
            if (File.Exists(CrashDump))
            {
                builder.AppendLine(CultureInfo.InvariantCulture, $"Crash dump slogan: {CrashDumpSlogan()}");
            }

            var log = TryReadText(LogFile);
            if (log is null)
            {
                builder.AppendLine(CultureInfo.InvariantCulture, $"No node log at {LogFile}.");
            }
            else
            {
                var lines = log.Split('\n');
                var failed = Array.FindIndex(lines, l => l.Contains("BOOT FAILED", StringComparison.Ordinal));
                var from = failed >= 0 ? Math.Max(0, failed - 5) : Math.Max(0, lines.Length - 40);
                var to = Math.Min(lines.Length, from + 40);
                builder.AppendLine(CultureInfo.InvariantCulture, $"Node log {LogFile}, lines {from + 1}-{to}:");
                foreach (var line in lines[from..to])
                {
                    builder.AppendLine(line.Length > 400 ? line[..400] + " ..." : line);
                }
            }

            return builder.ToString();
        }

        private string CrashDumpSlogan()
        {
            try
            {
                return File.ReadLines(CrashDump).Take(5).FirstOrDefault(l => l.StartsWith("Slogan:", StringComparison.Ordinal))
                    ?? "no slogan";
            }
            catch (IOException)
            {
                return "unreadable";
            }
        }

        private int ReadPid()
        {
            var text = TryReadText(PidFile);
            return int.TryParse(text?.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var pid) ? pid : 0;
        }

        private static string? TryReadText(string path)
        {
            try
            {
                return File.Exists(path) ? File.ReadAllText(path) : null;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                return null;
            }
        }

        private static bool IsAlive(int pid) => Native.kill(pid, 0) == 0 || Marshal.GetLastPInvokeError() == 1 /* EPERM */;

        private static void Signal(int pid, int signal) => _ = Native.kill(pid, signal);
    }

    private static class Native
    {
        [DllImport("libc", SetLastError = true)]
#pragma warning disable SYSLIB1054 // LibraryImport needs AllowUnsafeBlocks; one blittable call does not justify it.
        internal static extern int kill(int pid, int sig);
#pragma warning restore SYSLIB1054
    }
}

/// <summary>RabbitMQ is not installed here and <c>RABBITMQ_URL</c> is not set.</summary>
public sealed class RabbitMqUnavailableException : Exception
{
    public RabbitMqUnavailableException(string message)
        : base(message)
    {
    }

    public RabbitMqUnavailableException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}

/// <summary>A rabbitmqctl (or rabbitmq-server) command failed; the message carries its output and error output.</summary>
public sealed class RabbitMqCommandException : Exception
{
    internal RabbitMqCommandException(ProcessResult result, string? redact)
        : base(Redact(result.Describe(), redact))
    {
        CommandLine = Redact(result.CommandLine, redact);
        ExitCode = result.ExitCode;
        StandardOutput = result.StandardOutput;
        StandardError = result.StandardError;
    }

    public string CommandLine { get; }

    /// <summary>The exit code, or null when the command timed out and was killed.</summary>
    public int? ExitCode { get; }

    public string StandardOutput { get; }

    public string StandardError { get; }

    private static string Redact(string text, string? secret) =>
        string.IsNullOrEmpty(secret) ? text : text.Replace(secret, "***", StringComparison.Ordinal);
}

/// <summary>The private RabbitMQ node did not start.</summary>
public sealed class RabbitMqStartException : Exception
{
    internal RabbitMqStartException(string message, bool portInUse, Exception? innerException = null)
        : base(message, innerException)
    {
        PortInUse = portInUse;
    }

    /// <summary>True when the node failed because one of its ports was taken.</summary>
    public bool PortInUse { get; }
}

/// <summary>Exit code and output of a finished command.</summary>
internal sealed record ProcessResult(string CommandLine, int? ExitCode, string StandardOutput, string StandardError, TimeSpan Elapsed)
{
    public string Describe()
    {
        var builder = new StringBuilder();
        builder.Append(CultureInfo.InvariantCulture, $"Command: {CommandLine}{Environment.NewLine}");
        builder.Append(ExitCode is { } code
            ? string.Create(CultureInfo.InvariantCulture, $"Exit code: {code} after {Elapsed.TotalSeconds:0.0} s")
            : string.Create(CultureInfo.InvariantCulture, $"Timed out after {Elapsed.TotalSeconds:0.0} s and was killed"));
        if (StandardError.Trim().Length > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}stderr:{Environment.NewLine}{StandardError.Trim()}");
        }

        if (StandardOutput.Trim().Length > 0)
        {
            builder.Append(CultureInfo.InvariantCulture, $"{Environment.NewLine}stdout:{Environment.NewLine}{StandardOutput.Trim()}");
        }

        return builder.ToString();
    }
}

/// <summary>Runs a command with captured output, a timeout and an explicit environment.</summary>
internal static class ProcessRunner
{
    /// <summary>Elixir's CLI warns (and may mangle names) without a UTF-8 locale.</summary>
    public static readonly IReadOnlyDictionary<string, string?> Utf8Locale =
        new Dictionary<string, string?> { ["LC_ALL"] = "C.UTF-8", ["LANG"] = "C.UTF-8" };

    /// <summary>The current environment without RABBITMQ_*/ERL_* variables (a developer's settings must not leak into the private node), with a UTF-8 locale.</summary>
    public static Dictionary<string, string?> CleanEnvironment()
    {
        var result = new Dictionary<string, string?>(StringComparer.Ordinal);
        foreach (System.Collections.DictionaryEntry entry in Environment.GetEnvironmentVariables())
        {
            var key = (string)entry.Key;
            if (key.StartsWith("RABBITMQ_", StringComparison.Ordinal) || key.StartsWith("ERL_", StringComparison.Ordinal))
            {
                result[key] = null;
            }
        }

        foreach (var (key, value) in Utf8Locale)
        {
            result[key] = value;
        }

        return result;
    }

    public static async Task<ProcessResult> RunAsync(
        string fileName, IReadOnlyList<string> arguments, IReadOnlyDictionary<string, string?>? environment,
        TimeSpan timeout, CancellationToken cancellationToken)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        if (environment is not null)
        {
            foreach (var (key, value) in environment)
            {
                if (value is null)
                {
                    startInfo.Environment.Remove(key);
                }
                else
                {
                    startInfo.Environment[key] = value;
                }
            }
        }

        var commandLine = string.Join(' ', new[] { fileName }.Concat(arguments).Select(Quote));
        var stopwatch = Stopwatch.StartNew();
        using var process = new Process { StartInfo = startInfo };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            return new ProcessResult(commandLine, -1, "", $"could not start {fileName}: {ex.Message}", stopwatch.Elapsed);
        }

        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync(CancellationToken.None);
        var stderr = process.StandardError.ReadToEndAsync(CancellationToken.None);
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        cts.CancelAfter(timeout);
        int? exitCode;
        try
        {
            await process.WaitForExitAsync(cts.Token).ConfigureAwait(false);
            exitCode = process.ExitCode;
        }
        catch (OperationCanceledException)
        {
            try
            {
                process.Kill(entireProcessTree: true);
            }
            catch (InvalidOperationException)
            {
                // Already gone.
            }

            cancellationToken.ThrowIfCancellationRequested();
            exitCode = null;
        }

        // A daemon the command started (epmd, a detached Erlang VM) may hold the pipes open: do not wait for them.
        var output = Task.WhenAll(stdout, stderr);
        await Task.WhenAny(output, Task.Delay(TimeSpan.FromSeconds(3), CancellationToken.None)).ConfigureAwait(false);
        return new ProcessResult(
            commandLine,
            exitCode,
            stdout.IsCompletedSuccessfully ? stdout.Result : "(output not captured)",
            stderr.IsCompletedSuccessfully ? stderr.Result : "(error output not captured)",
            stopwatch.Elapsed);
    }

    private static string Quote(string argument) =>
        argument.Length > 0 && argument.All(c => char.IsAsciiLetterOrDigit(c) || "-_./@:=,".Contains(c))
            ? argument
            : "'" + argument.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
