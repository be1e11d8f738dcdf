using System.Net;
using System.Net.Sockets;
using Asyncio.IO;

namespace Asyncio;

public sealed partial class EventLoop
{
    private byte[]? _receiveBuffer;

    /// <summary>The loop's receive buffer for plain protocols: one per loop, since only the loop thread reads. Pinned.</summary>
    internal byte[] ReceiveBuffer => _receiveBuffer ??= GC.AllocateUninitializedArray<byte>(256 * 1024, pinned: true);

    /// <summary>
    /// Opens a TCP connection to <paramref name="host"/>:<paramref name="port"/> and wires it to a new protocol
    /// (asyncio's <c>create_connection</c>). Name resolution runs off the loop; each address is tried in turn.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="protocolFactory"/> or <paramref name="host"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 1–65535.</exception>
    /// <exception cref="SocketException">The name does not resolve, or every address refused the connection.</exception>
    public async Coroutine<(Transport Transport, TProtocol Protocol)> CreateConnection<TProtocol>(Func<TProtocol> protocolFactory, string host, int port)
        where TProtocol : Protocol
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        ArgumentNullException.ThrowIfNull(host);
        if (port is < 1 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port to connect to is 1–65535.");
        }

        CheckCallable(nameof(CreateConnection));
        IPAddress[] addresses = await ResolveAsync(host, nameof(CreateConnection));
        var errors = new List<Exception>();
        foreach (IPAddress address in addresses)
        {
            try
            {
                return await ConnectProtocolAsync(protocolFactory, new IPEndPoint(address, port));
            }
            catch (SocketException e)
            {
                errors.Add(e);
            }
        }

        if (errors.Count == 1)
        {
            var single = (SocketException)errors[0];
            throw new SocketException((int)single.SocketErrorCode, $"Could not connect to {host}:{port}: {single.Message}");
        }

        throw new SocketException((int)((SocketException)errors[^1]).SocketErrorCode,
            $"Could not connect to {host}:{port}; every address failed: " + string.Join("; ", errors.Select(e => e.Message)));
    }

    /// <summary>
    /// Opens a connection to the Unix domain socket at <paramref name="path"/> and wires it to a new protocol
    /// (asyncio's <c>create_unix_connection</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="SocketException">Nothing listens at the path.</exception>
    public async Coroutine<(Transport Transport, TProtocol Protocol)> CreateUnixConnection<TProtocol>(Func<TProtocol> protocolFactory, string path)
        where TProtocol : Protocol
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        ArgumentNullException.ThrowIfNull(path);
        CheckCallable(nameof(CreateUnixConnection));
        try
        {
            return await ConnectProtocolAsync(protocolFactory, new UnixDomainSocketEndPoint(path));
        }
        catch (SocketException e)
        {
            throw new SocketException((int)e.SocketErrorCode, $"Could not connect to the Unix socket '{path}': {e.Message}");
        }
    }

    private async Coroutine<(Transport Transport, TProtocol Protocol)> ConnectProtocolAsync<TProtocol>(Func<TProtocol> protocolFactory, EndPoint endPoint)
        where TProtocol : Protocol
    {
        var (socket, resetAfterConnect) = await ConnectSocketAsync(endPoint);
        try
        {
            TProtocol protocol = protocolFactory() ?? throw new InvalidOperationException("The protocol factory returned null.");
            var connected = CreateFuture<bool>();
            Transport transport = NewStreamTransport(socket, protocol, server: null, connected, resetAfterConnect);
            try
            {
                await connected;
            }
            catch
            {
                transport.Abort();
                throw;
            }

            return (transport, protocol);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The transport of a connected stream socket on this loop's backend. <paramref name="resetAfterConnect"/> (portable
    /// backend only) is a reset the connect already took off the socket: the transport reports it after the data.
    /// </summary>
    internal Transport NewStreamTransport(Socket socket, Protocol protocol, Server? server, Future<bool>? waiter, SocketException? resetAfterConnect = null) =>
        IoBackend == IoBackend.Portable
            ? new CompletionSocketTransport(this, socket, protocol, server, waiter, resetAfterConnect)
            : new SocketTransport(this, socket, protocol, server, waiter);

    /// <summary>
    /// A connected non-blocking socket. On epoll the connect runs on the loop (no .NET async connect); on the portable
    /// backend it is a .NET asynchronous connect whose completion is posted to the loop. Reset is set when the portable
    /// connect reported ConnectionReset: the handshake completed (a refused one reports ConnectionRefused) but the peer
    /// reset the connection before the completion ran, and .NET's completion took the error off the socket. On epoll
    /// the loop finishes the connect before a peer on the same loop can even accept, so it never sees this; the
    /// connection is kept, and its reset reported after the data that came before it, as epoll would.
    /// </summary>
    internal async Coroutine<(Socket Socket, SocketException? Reset)> ConnectSocketAsync(EndPoint endPoint)
    {
        var socket = endPoint is UnixDomainSocketEndPoint
            ? new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified) { Blocking = false }
            : new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
        try
        {
            SocketException? reset = null;
            if (Completions is { } completions)
            {
                try
                {
                    await completions.RunAsync((socket, endPoint), static (s, token) => s.socket.ConnectAsync(s.endPoint, token));
                }
                catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
                {
                    reset = e;
                }
            }
            else if (!SocketOps.StartConnect(socket, endPoint))
            {
                var writable = CreateFuture<bool>();
                int fd = FdOf(socket);
                Io.SetWriter(fd, static s => ((Future<bool>)s!).TrySetResult(true), writable);
                try
                {
                    await writable;
                }
                finally
                {
                    Io.SetWriter(fd, null, null);
                }

                SocketOps.FinishConnect(socket);
            }

            SocketOps.SetNoDelay(socket);
            return (socket, reset);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Starts a TCP server on <paramref name="host"/>:<paramref name="port"/> (asyncio's <c>create_server</c>); each
    /// accepted connection gets a protocol from <paramref name="protocolFactory"/>. A null or empty host listens on
    /// every interface; port 0 picks a free port (see <see cref="Server.Sockets"/>). With <paramref name="reusePort"/>
    /// several servers (one per loop) can listen on the same port and the kernel spreads connections among them.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="protocolFactory"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="port"/> is not 0–65535, or <paramref name="backlog"/> is not positive.</exception>
    /// <exception cref="SocketException">The address is in use, or cannot be bound.</exception>
    public async Coroutine<Server> CreateServer(Func<Protocol> protocolFactory, string? host, int port, int backlog = 100, bool reusePort = false, bool startServing = true)
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        if (port is < 0 or > 65535)
        {
            throw new ArgumentOutOfRangeException(nameof(port), port, "A port to listen on is 0–65535 (0: any free port).");
        }

        if (backlog < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(backlog), backlog, "The backlog must be positive.");
        }

        CheckCallable(nameof(CreateServer));
        IPAddress[] addresses = string.IsNullOrEmpty(host)
            ? (Socket.OSSupportsIPv6 ? [IPAddress.Any, IPAddress.IPv6Any] : [IPAddress.Any])
            : await ResolveAsync(host, nameof(CreateServer));
        var sockets = new List<Socket>();
        try
        {
            foreach (IPAddress address in addresses)
            {
                var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
                sockets.Add(socket);
                PlatformSockets.SetReuseAddress(socket);
                if (reusePort)
                {
                    PlatformSockets.SetReusePort(socket);
                }

                if (address.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    socket.DualMode = false;   // as asyncio: IPV6_V6ONLY, the IPv4 socket serves IPv4
                }

                try
                {
                    socket.Bind(new IPEndPoint(address, port));
                }
                catch (SocketException e)
                {
                    throw new SocketException((int)e.SocketErrorCode, $"Could not bind to {address}:{port}: {e.Message}");
                }

                socket.Listen(backlog);
                socket.Blocking = false;
            }
        }
        catch
        {
            foreach (Socket s in sockets)
            {
                s.Dispose();
            }

            throw;
        }

        var server = new Server(this, sockets, protocolFactory, backlog);
        if (startServing)
        {
            server.StartServing();
            await Aio.Sleep(0);   // as asyncio: let the server start before returning
        }

        return server;
    }

    /// <summary>
    /// Starts a server on the Unix domain socket <paramref name="path"/> (asyncio's <c>create_unix_server</c>). A stale
    /// socket file at the path is replaced; the file is removed when the server closes.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="IOException">Something other than a socket exists at the path.</exception>
    /// <exception cref="SocketException">The path cannot be bound.</exception>
    public async Coroutine<Server> CreateUnixServer(Func<Protocol> protocolFactory, string path, int backlog = 100, bool startServing = true)
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        ArgumentNullException.ThrowIfNull(path);
        if (backlog < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(backlog), backlog, "The backlog must be positive.");
        }

        CheckCallable(nameof(CreateUnixServer));
        if (File.Exists(path) || Directory.Exists(path))
        {
            if (!PlatformSockets.IsSocketFile(path))
            {
                throw new IOException($"Cannot listen on '{path}': a file that is not a socket is in the way. Remove it or choose another path.");
            }

            File.Delete(path);   // a stale socket from an earlier run
        }

        var socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        try
        {
            socket.Bind(new UnixDomainSocketEndPoint(path));
            socket.Listen(backlog);
            socket.Blocking = false;
        }
        catch (SocketException e)
        {
            socket.Dispose();
            throw new SocketException((int)e.SocketErrorCode, $"Could not listen on the Unix socket '{path}': {e.Message}");
        }

        var server = new Server(this, [socket], protocolFactory, backlog) { UnixPath = path };
        if (startServing)
        {
            server.StartServing();
            await Aio.Sleep(0);
        }

        return server;
    }

    /// <summary>Addresses for <paramref name="host"/>: parsed at once if literal, else resolved on the thread pool.</summary>
    private async Coroutine<IPAddress[]> ResolveAsync(string host, string member)
    {
        if (IPAddress.TryParse(host, out IPAddress? literal))
        {
            return [literal];
        }

        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
        {
            return [IPAddress.Loopback];
        }

        try
        {
            IPAddress[] found = await Aio.WrapFuture(Dns.GetHostAddressesAsync(host));
            if (found.Length == 0)
            {
                throw new SocketException((int)SocketError.HostNotFound, $"{member}: the name '{host}' resolved to no address.");
            }

            return found;
        }
        catch (SocketException e)
        {
            throw new SocketException((int)e.SocketErrorCode, $"{member}: cannot resolve host '{host}': {e.Message}");
        }
    }
}

public sealed partial class EventLoop
{
    /// <summary>
    /// Opens a UDP endpoint (asyncio's <c>create_datagram_endpoint</c>) bound to <paramref name="localAddress"/> (any
    /// port when null) and, when <paramref name="remoteAddress"/> is given, connected to it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="protocolFactory"/> is null.</exception>
    /// <exception cref="ArgumentException">Neither address is given.</exception>
    /// <exception cref="SocketException">The address cannot be bound or connected.</exception>
    public async Coroutine<(DatagramTransport Transport, TProtocol Protocol)> CreateDatagramEndpoint<TProtocol>(
        Func<TProtocol> protocolFactory, IPEndPoint? localAddress = null, IPEndPoint? remoteAddress = null, bool reusePort = false)
        where TProtocol : DatagramProtocol
    {
        ArgumentNullException.ThrowIfNull(protocolFactory);
        if (localAddress is null && remoteAddress is null)
        {
            throw new ArgumentException("CreateDatagramEndpoint needs a local address, a remote address, or both.");
        }

        CheckCallable(nameof(CreateDatagramEndpoint));
        AddressFamily family = (localAddress ?? remoteAddress)!.AddressFamily;
        var socket = new Socket(family, SocketType.Dgram, ProtocolType.Udp);
        try
        {
            if (reusePort)
            {
                PlatformSockets.SetReusePort(socket);
            }

            socket.Blocking = false;
            if (localAddress is not null)
            {
                socket.Bind(localAddress);
            }

            if (remoteAddress is not null)
            {
                socket.Connect(remoteAddress);   // UDP connect does not block
            }

            TProtocol protocol = protocolFactory() ?? throw new InvalidOperationException("The protocol factory of CreateDatagramEndpoint returned null.");
            var ready = CreateFuture<bool>();
            DatagramTransport transport = IoBackend == IoBackend.Portable
                ? new CompletionDatagramTransport(this, socket, protocol, remoteAddress, ready)
                : new DatagramSocketTransport(this, socket, protocol, remoteAddress, ready);
            await ready;
            return (transport, protocol);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }
}
