using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace Platform.ComposeLocal;

/// <summary>The local stand-in for the mail catcher (Mailpit): an SMTP server on a loopback port that keeps what it receives.</summary>
public sealed class SmtpCatcher : IAsyncDisposable
{
    private readonly SmtpServer.SmtpServer server;
    private readonly CancellationTokenSource stop = new();
    private readonly Task running;

    private SmtpCatcher(int port)
    {
        Port = port;
        var options = new SmtpServerOptionsBuilder()
            .ServerName("compose-local")
            .Endpoint(b => b.Endpoint(new IPEndPoint(IPAddress.Loopback, port)))
            .Build();
        var services = new SmtpServer.ComponentModel.ServiceProvider();
        services.Add(new Store(this));
        server = new SmtpServer.SmtpServer(options, services);
        running = server.StartAsync(stop.Token);
    }

    public int Port { get; }

    /// <summary>Recipients and sizes of the messages received so far.</summary>
    public ConcurrentQueue<(string To, int Bytes)> Messages { get; } = new();

    public static async Task<SmtpCatcher> StartAsync(int port)
    {
        var catcher = new SmtpCatcher(port);
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (true)
        {
            if (catcher.running.IsFaulted)
            {
                await catcher.running.ConfigureAwait(false);
            }

            try
            {
                using var probe = new TcpClient();
                await probe.ConnectAsync(IPAddress.Loopback, port).ConfigureAwait(false);
                return catcher;
            }
            catch (SocketException) when (DateTime.UtcNow < deadline)
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        server.Shutdown();
        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await running.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is OperationCanceledException or TimeoutException)
        {
        }

        stop.Dispose();
    }

    private sealed class Store(SmtpCatcher catcher) : MessageStore
    {
        public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
            ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
        {
            foreach (var to in transaction.To)
            {
                catcher.Messages.Enqueue(($"{to.User}@{to.Host}", (int)buffer.Length));
            }

            return Task.FromResult(SmtpResponse.Ok);
        }
    }
}

/// <summary>
/// The local stand-in for the telemetry UI's OTLP port: accepts connections and closes them (exports fail, which
/// OpenTelemetry only reports through its own diagnostics), counting them so that a run can show telemetry was sent.
/// </summary>
public sealed class OtlpStandIn : IAsyncDisposable
{
    private readonly TcpListener listener;
    private readonly CancellationTokenSource stop = new();
    private readonly Task accepting;
    private int connections;

    public OtlpStandIn(int port)
    {
        Port = port;
        listener = new TcpListener(IPAddress.Loopback, port);
        listener.Start();
        accepting = AcceptAsync();
    }

    public int Port { get; }

    public int Connections => Volatile.Read(ref connections);

    private async Task AcceptAsync()
    {
        while (!stop.IsCancellationRequested)
        {
            try
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token).ConfigureAwait(false);
                Interlocked.Increment(ref connections);
            }
            catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
            {
                return;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await stop.CancelAsync().ConfigureAwait(false);
        listener.Stop();
        await accepting.ConfigureAwait(false);
        stop.Dispose();
    }
}
