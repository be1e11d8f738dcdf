namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Connects to <paramref name="host"/>:<paramref name="port"/> and returns a reader and a writer (asyncio's
    /// <c>open_connection</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="host"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 1–65535, or <paramref name="limit"/> is not positive.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The name does not resolve, or the connection is refused.</exception>
    public static async Coroutine<(AioStreamReader Reader, AioStreamWriter Writer)> OpenConnection(string host, int port, int limit = AioStreamReader.DefaultLimit,
        System.Net.Security.SslClientAuthenticationOptions? ssl = null)
    {
        EventLoop loop = RunningLoop(nameof(OpenConnection));
        var reader = new AioStreamReader(limit);
        if (ssl is null)
        {
            var (_, protocol) = await loop.CreateConnection(() => new StreamProtocol(loop, reader, null), host, port);
            return (reader, protocol.Writer!);
        }

        // TLS: connect with a placeholder protocol, then the handshake takes the raw transport over.
        var (raw, _) = await loop.CreateConnection(() => new IO.PlaceholderProtocol(), host, port);
        ssl.TargetHost ??= host;
        var app = new StreamProtocol(loop, reader, null);
        await IO.TlsTransport.HandshakeAsync(IO.TlsTransport.Prepare(raw), app, ssl, null);
        return (reader, app.Writer!);
    }

    /// <summary>
    /// Starts a TCP server (asyncio's <c>start_server</c>): each connection runs <paramref name="clientConnected"/> as a
    /// task with its own reader and writer. An exception from it is reported ("Unhandled exception in
    /// client_connected_cb") and the connection closed.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="clientConnected"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException">Bad port, limit or backlog.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">The address is in use or cannot be bound.</exception>
    public static Coroutine<Server> StartServer(Func<AioStreamReader, AioStreamWriter, Coroutine> clientConnected, string? host, int port,
        int limit = AioStreamReader.DefaultLimit, int backlog = 100, bool reusePort = false,
        System.Net.Security.SslServerAuthenticationOptions? ssl = null)
    {
        ArgumentNullException.ThrowIfNull(clientConnected);
        if (limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "Limit cannot be <= 0.");
        }

        EventLoop loop = RunningLoop(nameof(StartServer));
        Func<Protocol> app = () => new StreamProtocol(loop, new AioStreamReader(limit), clientConnected);
        return loop.CreateServer(ssl is null ? app : () => new IO.TlsServerProtocol(app, ssl), host, port, backlog, reusePort);
    }

    /// <summary>Connects to the Unix domain socket at <paramref name="path"/> (asyncio's <c>open_unix_connection</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="path"/> is null.</exception>
    /// <exception cref="System.Net.Sockets.SocketException">Nothing listens at the path.</exception>
    public static async Coroutine<(AioStreamReader Reader, AioStreamWriter Writer)> OpenUnixConnection(string path, int limit = AioStreamReader.DefaultLimit)
    {
        EventLoop loop = RunningLoop(nameof(OpenUnixConnection));
        var reader = new AioStreamReader(limit);
        var (_, protocol) = await loop.CreateUnixConnection(() => new StreamProtocol(loop, reader, null), path);
        return (reader, protocol.Writer!);
    }

    /// <summary>Starts a server on the Unix domain socket <paramref name="path"/> (asyncio's <c>start_unix_server</c>); see <see cref="StartServer"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public static Coroutine<Server> StartUnixServer(Func<AioStreamReader, AioStreamWriter, Coroutine> clientConnected, string path,
        int limit = AioStreamReader.DefaultLimit, int backlog = 100)
    {
        ArgumentNullException.ThrowIfNull(clientConnected);
        EventLoop loop = RunningLoop(nameof(StartUnixServer));
        return loop.CreateUnixServer(() => new StreamProtocol(loop, new AioStreamReader(limit), clientConnected), path, backlog);
    }
}
