using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;

namespace Platform.Testing;

/// <summary>
/// Hands out TCP ports that are free on this machine at the time of the call (for servers a test starts).
/// </summary>
/// <remarks>
/// Ports are drawn at random from 20000-32767, below Linux's ephemeral range (32768-60999), so that outgoing
/// connections of other processes cannot grab the port between this call and the server binding it; a port is
/// only returned after binding it on both the loopback and the wildcard address succeeded, and never twice in
/// one process. Ports RabbitMQ/Erlang use by default (25672 and its neighbours) are left out.
/// A small race with other processes remains: servers started on such a port should retry with a new one
/// when they fail with "address in use" (the private RabbitMQ node does).
/// </remarks>
public static class FreePort
{
    private const int MinPort = 20000;
    private const int MaxPort = 32767;
    private static readonly ConcurrentDictionary<int, byte> Handed = new();
    private static readonly HashSet<int> Reserved = [25672, 25673, 25674, 25675, 25676];

    /// <summary>A free TCP port (bindable on 127.0.0.1 and on the wildcard address).</summary>
    public static int Next()
    {
        for (var attempt = 0; attempt < 200; attempt++)
        {
            var port = Random.Shared.Next(MinPort, MaxPort + 1);
            if (Reserved.Contains(port) || Handed.ContainsKey(port))
            {
                continue;
            }

            if (IsFree(port) && Handed.TryAdd(port, 0))
            {
                return port;
            }
        }

        // Fall back to a port the operating system picks (ephemeral range).
        for (var attempt = 0; attempt < 20; attempt++)
        {
            using var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            if (Handed.TryAdd(port, 0))
            {
                return port;
            }
        }

        throw new InvalidOperationException("Could not find a free TCP port.");
    }

    /// <summary>Whether <paramref name="port"/> can be bound right now (on loopback and on the wildcard address).</summary>
    public static bool IsFree(int port) => CanBind(IPAddress.Loopback, port) && CanBind(IPAddress.Any, port);

    private static bool CanBind(IPAddress address, int port)
    {
        try
        {
            using var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
            // No SO_REUSEADDR: a port in TIME_WAIT or bound by anyone counts as taken.
            socket.Bind(new IPEndPoint(address, port));
            return true;
        }
        catch (SocketException)
        {
            return false;
        }
    }
}
