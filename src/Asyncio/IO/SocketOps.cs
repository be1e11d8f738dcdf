using System.Net;
using System.Net.Sockets;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio.IO;

/// <summary>Socket set-up the reactor does itself: options set raw, non-blocking connect and accept4.</summary>
internal static unsafe class SocketOps
{
    private const int IPPROTO_TCP = 6, TCP_NODELAY = 1;

    /// <summary>
    /// Sets an integer socket option with setsockopt directly. (.NET's <c>ReuseAddress</c> also sets SO_REUSEPORT on
    /// Linux, which would let a second listener share a port that is in use.)
    /// </summary>
    public static void SetIntOption(Socket socket, int level, int name, int value)
    {
        Span<byte> v = stackalloc byte[4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(v, value);
        socket.SetRawSocketOption(level, name, v);
    }

    public static void SetNoDelay(Socket socket)
    {
        if (socket.ProtocolType == ProtocolType.Tcp)
        {
            SetIntOption(socket, IPPROTO_TCP, TCP_NODELAY, 1);
        }
    }

    /// <summary>Starts a non-blocking connect; true if it completed at once.</summary>
    public static bool StartConnect(Socket socket, EndPoint endPoint)
    {
        SocketAddress address = endPoint.Serialize();
        int rc;
        fixed (byte* p = address.Buffer.Span)
        {
            rc = connect(EventLoop.FdOf(socket), p, address.Size);
        }

        if (rc == 0)
        {
            return true;
        }

        int errno = Errno;
        if (errno is EINPROGRESS or EINTR or EAGAIN)
        {
            return false;
        }

        throw new SocketException(errno);
    }

    /// <summary>The outcome of a connect that completed in the background (SO_ERROR).</summary>
    public static void FinishConnect(Socket socket)
    {
        int error = 0;
        int len = sizeof(int);
        if (getsockopt(EventLoop.FdOf(socket), SOL_SOCKET, SO_ERROR, &error, &len) < 0)
        {
            throw new SocketException(Errno);
        }

        if (error != 0)
        {
            throw new SocketException(error);
        }
    }

    /// <summary>Accepts one connection without blocking; null when none is waiting.</summary>
    public static Socket? TryAccept(Socket listener, out int errno)
    {
        int fd = accept4(EventLoop.FdOf(listener), null, null, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (fd < 0)
        {
            errno = Errno;
            return null;
        }

        errno = 0;
        // accept4 made it non-blocking; telling the Socket keeps its Blocking property truthful.
        return new Socket(new SafeSocketHandle(fd, ownsHandle: true)) { Blocking = false };
    }
}
