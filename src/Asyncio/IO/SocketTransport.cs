using System.Net.Sockets;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio.IO;

/// <summary>
/// A stream socket driven by the epoll reactor (asyncio's <c>_SelectorSocketTransport</c>): readiness callbacks on the
/// loop thread, <c>recv</c>/<c>send</c> called directly, writes sent at once when possible and buffered otherwise.
/// </summary>
/// <remarks>Invariant: the reader is registered iff reading is on and the transport is not closing; the writer iff the buffer is not empty.</remarks>
internal sealed unsafe class SocketTransport : Transport
{
    private const int LogThresholdForLostWrites = 5;

    private readonly EventLoop _loop;
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly IIoSelector _io;
    private readonly WriteBuffer _out = new();
    private readonly Server? _server;
    private Protocol _protocol;
    private BufferedProtocol? _buffered;
    private bool _reading;      // the user wants data (not paused)
    private bool _closing;
    private bool _eof;          // WriteEof was called
    private int _connLost;      // > 0 once the connection is lost; counts writes after that
    private bool _protocolPaused;
    private bool _readerRegistered;
    private int _high = DefaultHighWaterMark;
    private int _low = DefaultHighWaterMark / 4;

    public SocketTransport(EventLoop loop, Socket socket, Protocol protocol, Server? server, Future<bool>? waiter)
    {
        _loop = loop;
        _socket = socket;
        _fd = EventLoop.FdOf(socket);
        _io = loop.Io;
        _server = server;
        _protocol = protocol;
        _buffered = protocol as BufferedProtocol;
        _reading = true;
        loop.ClaimFd(_fd, this);
        server?.Attach(this);

        // As asyncio: connection_made first, then reading starts, then the waiter learns the connection is up.
        loop.EnqueueReady(static s => ((SocketTransport)s!).Start(), this);
        if (waiter is not null)
        {
            loop.EnqueueReady(static s => ((Future<bool>)s!).TrySetResult(true), waiter);
        }
    }

    private void Start()
    {
        try
        {
            _protocol.ConnectionMade(this);
        }
        catch (Exception e)
        {
            FatalError(e, "Exception in Protocol.ConnectionMade");
            return;
        }

        UpdateReader();
    }

    public override EventLoop Loop => _loop;

    public override Protocol Protocol
    {
        get => _protocol;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _protocol = value;
            _buffered = value as BufferedProtocol;
        }
    }

    public override bool IsClosing => _closing;

    public override bool IsReading => _reading && !_closing;

    public override bool CanWriteEof => true;

    public override int WriteBufferSize => _out.Count;

    public override (int High, int Low) WriteBufferLimits => (_high, _low);

    public override void PauseReading()
    {
        _loop.CheckThread(nameof(PauseReading));
        _reading = false;
        UpdateReader();
    }

    public override void ResumeReading()
    {
        _loop.CheckThread(nameof(ResumeReading));
        _reading = true;
        UpdateReader();
    }

    private void UpdateReader()
    {
        bool want = _reading && !_closing && _connLost == 0;
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

        nint n;
        if (_buffered is { } buffered)
        {
            Memory<byte> buffer;
            try
            {
                buffer = buffered.GetBuffer(-1);
                if (buffer.Length == 0)
                {
                    throw new InvalidOperationException("BufferedProtocol.GetBuffer returned an empty buffer.");
                }
            }
            catch (Exception e)
            {
                FatalError(e, "Fatal error: protocol.GetBuffer() call failed");
                return;
            }

            fixed (byte* p = buffer.Span)
            {
                n = recv(_fd, p, buffer.Length, 0);
            }

            if (n > 0)
            {
                try
                {
                    buffered.BufferUpdated((int)n);
                }
                catch (Exception e)
                {
                    FatalError(e, "Fatal error: protocol.BufferUpdated() call failed");
                }

                return;
            }
        }
        else
        {
            byte[] buffer = _loop.ReceiveBuffer;
            fixed (byte* p = buffer)
            {
                n = recv(_fd, p, buffer.Length, 0);
            }

            if (n > 0)
            {
                try
                {
                    _protocol.DataReceived(new ReadOnlySpan<byte>(buffer, 0, (int)n));
                }
                catch (Exception e)
                {
                    FatalError(e, "Fatal error: protocol.DataReceived() call failed");
                }

                return;
            }
        }

        if (n == 0)
        {
            OnEof();
            return;
        }

        int errno = Errno;
        if (errno is EAGAIN or EINTR)
        {
            return;
        }

        FatalError(new SocketException(errno), "Fatal read error on socket transport");
    }

    private void OnEof()
    {
        bool keepOpen;
        try
        {
            keepOpen = _protocol.EofReceived();
        }
        catch (Exception e)
        {
            FatalError(e, "Fatal error: protocol.EofReceived() call failed");
            return;
        }

        if (keepOpen)
        {
            _reading = false;   // half-closed: nothing more will come
            UpdateReader();
        }
        else
        {
            Close();
        }
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        _loop.CheckThread(nameof(Write));
        if (_eof)
        {
            throw new InvalidOperationException("Cannot call Write() after WriteEof(): the writing side of the connection is closed.");
        }

        if (data.IsEmpty)
        {
            return;
        }

        if (_connLost > 0)
        {
            if (_connLost >= LogThresholdForLostWrites)
            {
                _loop.DefaultExceptionHandler(new LoopExceptionContext($"socket.send() raised exception: writes to {this} after its connection was lost are dropped.") { Transport = this });
            }

            _connLost++;
            return;
        }

        if (_out.Count == 0)
        {
            nint sent;
            fixed (byte* p = data)
            {
                sent = send(_fd, p, data.Length, MSG_NOSIGNAL);
            }

            if (sent < 0)
            {
                int errno = Errno;
                if (errno is not (EAGAIN or EINTR))
                {
                    FatalError(new SocketException(errno), "Fatal write error on socket transport");
                    return;
                }

                sent = 0;
            }

            data = data[(int)sent..];
            if (data.IsEmpty)
            {
                return;
            }

            _io.SetWriter(_fd, s_onWritable, this);
        }

        _out.Append(data);
        MaybePauseProtocol();
    }

    private void OnWritable()
    {
        if (_connLost > 0)
        {
            return;
        }

        if (_out.Count > 0)
        {
            nint sent;
            ReadOnlySpan<byte> pending = _out.Pending;
            fixed (byte* p = pending)
            {
                sent = send(_fd, p, pending.Length, MSG_NOSIGNAL);
            }

            if (sent < 0)
            {
                int errno = Errno;
                if (errno is EAGAIN or EINTR)
                {
                    return;
                }

                _io.SetWriter(_fd, null, null);
                _out.Clear();
                FatalError(new SocketException(errno), "Fatal write error on socket transport");
                return;
            }

            _out.Consume((int)sent);
            MaybeResumeProtocol();
        }

        if (_out.Count == 0)
        {
            _io.SetWriter(_fd, null, null);
            if (_closing)
            {
                CallConnectionLost(null);
            }
            else if (_eof)
            {
                shutdown(_fd, SHUT_WR);
            }
        }
    }

    public override void WriteEof()
    {
        _loop.CheckThread(nameof(WriteEof));
        if (_closing || _eof)
        {
            return;
        }

        _eof = true;
        if (_out.Count == 0)
        {
            shutdown(_fd, SHUT_WR);
        }
    }

    public override void SetWriteBufferLimits(int? high = null, int? low = null)
    {
        int h = high ?? (low is int l ? 4 * l : DefaultHighWaterMark);
        int lo = low ?? h / 4;
        if (h < 0 || lo < 0 || lo > h)
        {
            throw new ArgumentOutOfRangeException(nameof(high), $"The water marks must satisfy 0 <= low <= high; got high={h}, low={lo}.");
        }

        _high = h;
        _low = lo;
        MaybePauseProtocol();
    }

    private void MaybePauseProtocol()
    {
        if (_out.Count <= _high || _protocolPaused)
        {
            return;
        }

        _protocolPaused = true;
        try
        {
            _protocol.PauseWriting();
        }
        catch (Exception e)
        {
            _loop.CallExceptionHandler(new LoopExceptionContext("protocol.PauseWriting() failed") { Exception = e, Transport = this, Protocol = _protocol });
        }
    }

    private void MaybeResumeProtocol()
    {
        if (!_protocolPaused || _out.Count > _low)
        {
            return;
        }

        _protocolPaused = false;
        try
        {
            _protocol.ResumeWriting();
        }
        catch (Exception e)
        {
            _loop.CallExceptionHandler(new LoopExceptionContext("protocol.ResumeWriting() failed") { Exception = e, Transport = this, Protocol = _protocol });
        }
    }

    public override void Close()
    {
        if (_closing)
        {
            return;
        }

        _loop.CheckThread(nameof(Close));
        _closing = true;
        UpdateReader();
        if (_out.Count == 0)
        {
            _connLost++;
            _io.SetWriter(_fd, null, null);
            _loop.EnqueueReady(static s => ((SocketTransport)s!).CallConnectionLost(null), this);
        }
    }

    public override void Abort() => ForceClose(null);

    private void FatalError(Exception error, string message)
    {
        if (error is not SocketException)
        {
            _loop.CallExceptionHandler(new LoopExceptionContext(message) { Exception = error, Transport = this, Protocol = _protocol });
        }

        ForceClose(error);
    }

    private void ForceClose(Exception? error)
    {
        if (_connLost > 0)
        {
            return;
        }

        if (_out.Count > 0)
        {
            _out.Clear();
            _io.SetWriter(_fd, null, null);
        }

        if (!_closing)
        {
            _closing = true;
            UpdateReader();
        }

        _connLost++;
        _loop.EnqueueReady(static s =>
        {
            var (t, e) = ((SocketTransport, Exception?))s!;
            t.CallConnectionLost(e);
        }, (this, error));
    }

    private bool _lostCalled;

    private void CallConnectionLost(Exception? error)
    {
        if (_lostCalled)
        {
            return;
        }

        _lostCalled = true;
        _connLost = Math.Max(_connLost, 1);
        try
        {
            _protocol.ConnectionLost(error);
        }
        catch (Exception e)
        {
            _loop.CallExceptionHandler(new LoopExceptionContext("Exception in Protocol.ConnectionLost") { Exception = e, Transport = this, Protocol = _protocol });
        }
        finally
        {
            _io.Forget(_fd);
            _loop.ReleaseFd(_fd);
            _socket.Dispose();
            _server?.Detach(this);
        }
    }

    public override object? GetExtraInfo(string name) => name switch
    {
        "socket" => _socket,
        "peername" => SafeEndPoint(static s => s.RemoteEndPoint),
        "sockname" => SafeEndPoint(static s => s.LocalEndPoint),
        _ => null,
    };

    private object? SafeEndPoint(Func<Socket, System.Net.EndPoint?> get)
    {
        try
        {
            return get(_socket);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            return null;
        }
    }

    public override string ToString() =>
        $"<SocketTransport fd={_fd}{(_closing ? " closing" : "")}{(_connLost > 0 ? " lost" : "")} write-buffer={_out.Count}>";
}
