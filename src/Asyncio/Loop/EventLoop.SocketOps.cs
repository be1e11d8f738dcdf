using System.Net;
using System.Net.Sockets;
using Asyncio.IO;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>
    /// Receives into <paramref name="buffer"/> from a non-blocking socket, waiting until data arrives (asyncio's
    /// <c>sock_recv_into</c>); 0 when the peer closed.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    /// <exception cref="SocketException">The receive failed (for example the peer reset the connection).</exception>
    public async Coroutine<int> SockRecvAsync(Socket socket, Memory<byte> buffer)
    {
        int fd = CheckSockOp(socket, nameof(SockRecvAsync));
        if (Completions is { } completions)
        {
            return await PortableRecvAsync(completions, socket, buffer);
        }

        while (true)
        {
            int n = RawRecv(fd, buffer.Span, out int errno);
            if (n >= 0)
            {
                return n;
            }

            if (errno is not (EAGAIN or EINTR))
            {
                throw new SocketException(errno);
            }

            await WaitReadyAsync(fd, readable: true);
        }
    }

    /// <summary>Receives up to <paramref name="maxBytes"/> bytes (asyncio's <c>sock_recv</c>); an empty array when the peer closed.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="maxBytes"/> is negative.</exception>
    public async Coroutine<byte[]> SockRecvAsync(Socket socket, int maxBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxBytes);
        var buffer = new byte[maxBytes];
        int n = await SockRecvAsync(socket, buffer);
        return n == buffer.Length ? buffer : buffer[..n];
    }

    /// <summary>Sends all of <paramref name="data"/> on a non-blocking socket, waiting while the kernel buffer is full (asyncio's <c>sock_sendall</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    /// <exception cref="SocketException">The send failed.</exception>
    public async Coroutine SockSendAllAsync(Socket socket, ReadOnlyMemory<byte> data)
    {
        int fd = CheckSockOp(socket, nameof(SockSendAllAsync));
        if (Completions is { } completions)
        {
            await PortableSendAllAsync(completions, socket, data);
            return;
        }

        while (!data.IsEmpty)
        {
            int n = RawSend(fd, data.Span, out int errno);
            if (n >= 0)
            {
                data = data[n..];
                continue;
            }

            if (errno is not (EAGAIN or EINTR))
            {
                throw new SocketException(errno);
            }

            await WaitReadyAsync(fd, readable: false);
        }
    }

    /// <summary>Accepts a connection on a non-blocking listening socket (asyncio's <c>sock_accept</c>); the new socket is non-blocking.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    public async Coroutine<(Socket Connection, EndPoint? Address)> SockAcceptAsync(Socket socket)
    {
        int fd = CheckSockOp(socket, nameof(SockAcceptAsync));
        if (Completions is { } completions)
        {
            Socket accepted = await completions.RunAsync(socket, static (l, token) => l.AcceptAsync(token));
            accepted.Blocking = false;
            return (accepted, accepted.RemoteEndPoint);
        }

        while (true)
        {
            Socket? conn = SocketOps.TryAccept(socket, out int errno);
            if (conn is not null)
            {
                return (conn, conn.RemoteEndPoint);
            }

            if (errno is not (EAGAIN or EINTR))
            {
                throw new SocketException(errno);
            }

            await WaitReadyAsync(fd, readable: true);
        }
    }

    /// <summary>Connects a non-blocking socket to <paramref name="address"/> (asyncio's <c>sock_connect</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="ArgumentException">The socket is blocking.</exception>
    /// <exception cref="SocketException">The connection was refused.</exception>
    public async Coroutine SockConnectAsync(Socket socket, EndPoint address)
    {
        ArgumentNullException.ThrowIfNull(address);
        int fd = CheckSockOp(socket, nameof(SockConnectAsync));
        if (Completions is { } completions)
        {
            await completions.RunAsync((socket, address), static (s, token) => s.socket.ConnectAsync(s.address, token));
        }
        else if (!SocketOps.StartConnect(socket, address))
        {
            await WaitReadyAsync(fd, readable: false);
            SocketOps.FinishConnect(socket);
        }
    }

    private int CheckSockOp(Socket socket, string member)
    {
        ArgumentNullException.ThrowIfNull(socket);
        CheckCallable(member);
        if (socket.Blocking)
        {
            throw new ArgumentException($"{member}: the socket must be non-blocking (set socket.Blocking = false).", nameof(socket));
        }

        int fd = FdOf(socket);
        CheckNoTransport(member, fd);
        return fd;
    }

    /// <summary>Waits once for readiness of <paramref name="fd"/>; the registration is removed however the wait ends.</summary>
    private async Coroutine WaitReadyAsync(int fd, bool readable)
    {
        var ready = CreateFuture<bool>();
        IIoSelector io = Io;
        if (readable)
        {
            io.SetReader(fd, static s => ((Future<bool>)s!).TrySetResult(true), ready);
        }
        else
        {
            io.SetWriter(fd, static s => ((Future<bool>)s!).TrySetResult(true), ready);
        }

        try
        {
            await ready;
        }
        finally
        {
            if (readable)
            {
                io.SetReader(fd, null, null);
            }
            else
            {
                io.SetWriter(fd, null, null);
            }
        }
    }

    /// <summary>
    /// The portable backend's receive: at once if data is there, else after a zero-byte receive reports it (a wait
    /// that consumes nothing, so a cancelled SockRecvAsync loses no data, as on epoll).
    /// </summary>
    private static async Coroutine<int> PortableRecvAsync(CompletionSelector completions, Socket socket, Memory<byte> buffer)
    {
        while (true)
        {
            int n = socket.Receive(buffer.Span, SocketFlags.None, out SocketError status);
            if (status == SocketError.Success)
            {
                return n;
            }

            if (status is not (SocketError.WouldBlock or SocketError.Interrupted))
            {
                throw new SocketException((int)status);
            }

            await completions.RunAsync(socket, static (s, token) => s.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None, token));
        }
    }

    /// <summary>The portable backend's send: what the kernel takes at once, the rest by one asynchronous send.</summary>
    private static async Coroutine PortableSendAllAsync(CompletionSelector completions, Socket socket, ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = socket.Send(data.Span, SocketFlags.None, out SocketError status);
            if (status == SocketError.Success)
            {
                data = data[n..];
                continue;
            }

            if (status is not (SocketError.WouldBlock or SocketError.Interrupted))
            {
                throw new SocketException((int)status);
            }

            n = await completions.RunAsync((socket, data), static (s, token) => s.socket.SendAsync(s.data, SocketFlags.None, token));
            data = data[n..];
        }
    }

    private static unsafe int RawRecv(int fd, Span<byte> buffer, out int errno)
    {
        nint n;
        fixed (byte* p = buffer)
        {
            n = recv(fd, p, buffer.Length, 0);
        }

        errno = n < 0 ? Errno : 0;
        return (int)n;
    }

    private static unsafe int RawSend(int fd, ReadOnlySpan<byte> data, out int errno)
    {
        nint n;
        fixed (byte* p = data)
        {
            n = send(fd, p, data.Length, MSG_NOSIGNAL);
        }

        errno = n < 0 ? Errno : 0;
        return (int)n;
    }
}
