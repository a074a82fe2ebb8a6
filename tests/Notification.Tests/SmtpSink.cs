using System.Buffers;
using System.Net;
using MimeKit;
using SmtpServer;
using SmtpServer.Authentication;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;
using Platform.Testing;

namespace Notification.Tests;

/// <summary>
/// A real SMTP server in-process (the SmtpServer package) on a loopback port: records every message it accepts
/// (parsed with MimeKit) and counts SMTP sessions, so tests can read what arrived and see connection reuse.
/// </summary>
public sealed class SmtpSink : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer _server;
    private readonly Task _running;
    private readonly CancellationTokenSource _stop = new();
    private readonly object _gate = new();
    private readonly List<MimeMessage> _messages = [];
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _sessions;

    private SmtpSink(int port, (string User, string Password)? credentials)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("localhost")
            .Endpoint(b =>
            {
                b.Endpoint(new IPEndPoint(IPAddress.Loopback, port));
                if (credentials is not null)
                    b.AuthenticationRequired().AllowUnsecureAuthentication();
            })
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        services.Add((IMailboxFilter)new RecipientFilter(this));
        if (credentials is { } c)
            services.Add(new Authenticator(c.User, c.Password));
        services.Add((SmtpServer.Net.IEndpointListenerFactory)new NoDelayListenerFactory());
        _server = new SmtpServer.SmtpServer(options, services);
        _server.SessionCreated += (_, _) => Interlocked.Increment(ref _sessions);
        _running = _server.StartAsync(_stop.Token);
    }

    /// <summary>Waits until the port accepts connections (the probe's own session is not counted).</summary>
    private async Task WaitUntilListeningAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (_running.IsFaulted)
                await _running;
            try
            {
                using var probe = new System.Net.Sockets.TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, Port);
                break;
            }
            catch (System.Net.Sockets.SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }
        }
        // The probe opened a session; wait until it is counted, then forget it.
        while (Volatile.Read(ref _sessions) == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(10);
        Interlocked.Exchange(ref _sessions, 0);
    }

    public int Port { get; }

    /// <summary>Recipients refused at RCPT TO with a permanent error (553), like a mailbox that does not exist.</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<string, bool> RefusedRecipients { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>SMTP sessions (connections) opened so far.</summary>
    public int Sessions => Volatile.Read(ref _sessions);

    public IReadOnlyList<MimeMessage> Messages
    {
        get { lock (_gate) return [.. _messages]; }
    }

    /// <param name="port">A port to listen on (e.g. one the service was configured with before the server existed); a free one when null.</param>
    /// <param name="credentials">When given, the server requires AUTH with these.</param>
    public static async Task<SmtpSink> StartAsync(int? port = null, (string User, string Password)? credentials = null)
    {
        var sink = new SmtpSink(port ?? FreePort.Next(), credentials);
        await sink.WaitUntilListeningAsync();
        return sink;
    }

    /// <summary>Waits until at least <paramref name="count"/> messages arrived; fails the test after the timeout.</summary>
    public async Task<IReadOnlyList<MimeMessage>> WaitForAsync(int count, TimeSpan timeout, CancellationToken ct)
    {
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        cts.CancelAfter(timeout);
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (_messages.Count >= count)
                    return [.. _messages];
                changed = _changed.Task;
            }
            try
            {
                await changed.WaitAsync(cts.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                Assert.Fail($"Expected {count} emails within {timeout}; got {Messages.Count}.");
            }
        }
    }

    private void Add(MimeMessage message)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            _messages.Add(message);
            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
        changed.TrySetResult();
    }

    public async ValueTask DisposeAsync()
    {
        _server.Shutdown();
        await _stop.CancelAsync();
        try
        {
            await _running.WaitAsync(TimeSpan.FromSeconds(10));
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }

    private sealed class Store(SmtpSink sink) : MessageStore
    {
        public override async Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction, ReadOnlySequence<byte> buffer, CancellationToken ct)
        {
            await using var stream = new MemoryStream(buffer.ToArray());
            sink.Add(await MimeMessage.LoadAsync(stream, ct));
            return SmtpResponse.Ok;
        }
    }

    /// <summary>
    /// Accepts connections with Nagle's algorithm off, like production mail servers: the package's own listener leaves
    /// it on, and against the client's delayed ACKs every reply then waits ~40 ms (it would measure the sink, not us).
    /// </summary>
    private sealed class NoDelayListenerFactory : SmtpServer.Net.IEndpointListenerFactory
    {
        private static readonly System.Reflection.ConstructorInfo PipeConstructor =
            typeof(SmtpServer.IO.ISecurableDuplexPipe).Assembly.GetType("SmtpServer.IO.SecurableDuplexPipe", throwOnError: true)!
                .GetConstructor(System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic, [typeof(Stream), typeof(Action)])!;

        public SmtpServer.Net.IEndpointListener CreateListener(IEndpointDefinition endpoint)
        {
            var listener = new System.Net.Sockets.TcpListener(endpoint.Endpoint);
            listener.Start();
            return new Listener(listener);
        }

        private sealed class Listener(System.Net.Sockets.TcpListener listener) : SmtpServer.Net.IEndpointListener
        {
            public async Task<SmtpServer.IO.ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken ct)
            {
                var client = await listener.AcceptTcpClientAsync(ct);
                client.NoDelay = true;
                context.Properties[SmtpServer.Net.EndpointListener.RemoteEndPointKey] = client.Client.RemoteEndPoint!;
                return (SmtpServer.IO.ISecurableDuplexPipe)PipeConstructor.Invoke([client.GetStream(), () => client.Close()]);
            }

            public void Dispose() => listener.Stop();
        }
    }

    private sealed class RecipientFilter(SmtpSink sink) : MailboxFilter
    {
        public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken ct) =>
            Task.FromResult(!sink.RefusedRecipients.ContainsKey($"{to.User}@{to.Host}"));
    }

    private sealed class Authenticator(string user, string password) : UserAuthenticator
    {
        public override Task<bool> AuthenticateAsync(ISessionContext context, string user1, string password1, CancellationToken ct) =>
            Task.FromResult(user1 == user && password1 == password);
    }
}
