using System.Net.Sockets;
using MailKit;
using MailKit.Net.Smtp;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Platform.Notification.Email;

/// <summary>
/// One SMTP connection (MailKit), opened on the first message and reused for the messages after it until
/// <see cref="CloseAsync"/> (the dispatcher closes it when it runs out of due work). Messages are sent one at a time.
/// A connection that broke while idle is reopened once; any other failure closes it and is thrown to the caller.
/// </summary>
public sealed class SmtpMailer(IOptions<NotificationOptions> options, ILogger<SmtpMailer> logger) : IAsyncDisposable
{
    private readonly SemaphoreSlim _gate = new(1, 1);
    private SmtpClient? _client;

    /// <summary>Connections opened so far (for logs and the benchmark).</summary>
    public int ConnectionsOpened { get; private set; }

    public async Task SendAsync(MimeMessage message, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            var reused = _client is { IsConnected: true };
            try
            {
                await (await ConnectedAsync(ct)).SendAsync(message, ct);
            }
            catch (Exception ex) when (reused && ex is ServiceNotConnectedException or IOException or SmtpProtocolException && !ct.IsCancellationRequested)
            {
                // The server may drop a connection we kept open; one fresh connection decides.
                logger.LogDebug(ex, "Reused SMTP connection failed; reconnecting once");
                await ResetAsync();
                await (await ConnectedAsync(ct)).SendAsync(message, ct);
            }
        }
        catch
        {
            await ResetAsync();
            throw;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Says goodbye (QUIT) and closes the connection, if one is open.</summary>
    public async Task CloseAsync(CancellationToken ct = default)
    {
        await _gate.WaitAsync(ct);
        try
        {
            if (_client is { IsConnected: true } client)
            {
                try { await client.DisconnectAsync(quit: true, ct); }
                catch (Exception ex) when (ex is not OperationCanceledException) { logger.LogDebug(ex, "SMTP QUIT failed"); }
            }
            _client?.Dispose();
            _client = null;
        }
        finally
        {
            _gate.Release();
        }
    }

    private async Task<SmtpClient> ConnectedAsync(CancellationToken ct)
    {
        if (_client is { IsConnected: true } open)
            return open;
        _client?.Dispose();
        var settings = options.Value.Smtp;
        var client = new SmtpClient { Timeout = (int)settings.Timeout.TotalMilliseconds };
        if (settings.AcceptAnyCertificate)
            client.ServerCertificateValidationCallback = (_, _, _, _) => true;
        try
        {
            // Our own socket, to switch off Nagle: SMTP is many small request/response exchanges, and Nagle's
            // algorithm against the server's delayed ACKs costs ~40 ms per message.
            var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            try
            {
                await socket.ConnectAsync(settings.Host, settings.Port, ct);
            }
            catch
            {
                socket.Dispose();
                throw;
            }
            await client.ConnectAsync(socket, settings.Host, settings.Port, settings.Security, ct);
            if (!string.IsNullOrEmpty(settings.Username))
                await client.AuthenticateAsync(settings.Username, settings.Password ?? "", ct);
        }
        catch
        {
            client.Dispose();
            throw;
        }
        ConnectionsOpened++;
        _client = client;
        return client;
    }

    private async Task ResetAsync()
    {
        var client = _client;
        _client = null;
        if (client is null)
            return;
        try
        {
            if (client.IsConnected)
                await client.DisconnectAsync(quit: false);
        }
        catch (Exception ex)
        {
            logger.LogDebug(ex, "Closing a failed SMTP connection failed");
        }
        client.Dispose();
    }

    public async ValueTask DisposeAsync()
    {
        await ResetAsync();
        _gate.Dispose();
    }
}
