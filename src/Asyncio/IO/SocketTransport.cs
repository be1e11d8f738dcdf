using System.Net.Sockets;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio.IO;

/// <summary>
/// A stream socket driven by the epoll reactor (asyncio's <c>_SelectorSocketTransport</c>): readiness callbacks on the
/// loop thread, <c>recv</c>/<c>send</c> called directly, writes sent at once when possible and buffered otherwise.
/// </summary>
/// <remarks>Invariant: the reader is registered iff reading is on and the transport is not closing; the writer iff the buffer is not empty.</remarks>
internal sealed unsafe class SocketTransport : StreamSocketTransport
{
    private readonly IIoSelector _io;
    private bool _readerRegistered;

    public SocketTransport(EventLoop loop, Socket socket, Protocol protocol, Server? server, Future<bool>? waiter)
        : base(loop, socket, protocol, server, waiter)
    {
        _io = loop.Io;
    }

    protected override void UpdateReader()
    {
        bool want = WantsToRead;
        if (want != _readerRegistered)
        {
            _readerRegistered = want;
            _io.SetReader(_fd, want ? s_onReadable : null, this);
        }
    }

    private static readonly Action<object?> s_onReadable = static s => ((SocketTransport)s!).OnReadable();
    private static readonly Action<object?> s_onWritable = static s => ((SocketTransport)s!).OnWritable();

    private void OnReadable()
    {
        if (_connLost > 0 || !_readerRegistered)
        {
            return;
        }

        ReadOnce();
    }

    protected override int TryReceive(Span<byte> buffer, out SocketException? error)
    {
        nint n;
        fixed (byte* p = buffer)
        {
            n = recv(_fd, p, buffer.Length, 0);
        }

        error = n < 0 && Errno is int errno && errno is not (EAGAIN or EINTR) ? new SocketException(errno) : null;
        return (int)n;
    }

    protected override int TryWriteNow(ReadOnlySpan<byte> data)
    {
        nint sent;
        fixed (byte* p = data)
        {
            sent = send(_fd, p, data.Length, MSG_NOSIGNAL);
        }

        if (sent >= 0)
        {
            return (int)sent;
        }

        int errno = Errno;
        if (errno is EAGAIN or EINTR)
        {
            return 0;
        }

        OnWriteError(new SocketException(errno));
        return -1;
    }

    protected override void StartWriting() => _io.SetWriter(_fd, s_onWritable, this);

    protected override void StopWriting() => _io.SetWriter(_fd, null, null);

    protected override void ReleaseIo() => _io.Forget(_fd);

    private void OnWritable()
    {
        if (_connLost > 0)
        {
            return;
        }

        if (_out.Count > 0)
        {
            int sent = TryWriteNow(_out.Pending);
            if (sent <= 0)
            {
                return;   // the kernel took nothing yet, or the send failed and the connection is being lost
            }

            _out.Consume(sent);
        }

        OnWriteProgress();
    }
}
