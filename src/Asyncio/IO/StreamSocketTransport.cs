using System.Net.Sockets;

namespace Asyncio.IO;

/// <summary>
/// A connected stream socket (TCP or Unix) as a transport, whichever backend drives it (asyncio's
/// <c>_SelectorSocketTransport</c> and <c>_ProactorSocketTransport</c> share this): the order of the protocol's
/// callbacks, one receive per readiness straight into the protocol's buffer, writes sent at once when the kernel takes
/// them and buffered otherwise, half-close, graceful close and abort. A backend supplies the non-blocking receive and
/// send and how it learns that the socket is readable or the buffer can move on.
/// </summary>
/// <remarks>
/// Invariants: the backend waits for readability iff <see cref="WantsToRead"/>; it works on the write buffer iff the
/// buffer is not empty; <see cref="Protocol.ConnectionLost"/> is called once, after which the socket is disposed.
/// </remarks>
internal abstract class StreamSocketTransport : FlowControlTransport
{
    private const int LogThresholdForLostWrites = 5;

    protected readonly Socket _socket;
    protected readonly int _fd;
    private readonly Server? _server;
    private bool _reading;      // the user wants data (not paused)
    protected bool _closing;
    private bool _eof;          // WriteEof was called
    protected int _connLost;    // > 0 once the connection is lost; counts writes after that
    private bool _lostCalled;

    /// <summary>
    /// A reset the portable backend's connect already took off the socket (see <see cref="EventLoop.ConnectSocketAsync"/>):
    /// reported where the kernel would report it, once the data received before it is read. Null otherwise.
    /// </summary>
    private readonly SocketException? _resetAfterData;

    protected StreamSocketTransport(EventLoop loop, Socket socket, Protocol protocol, Server? server, Future<bool>? waiter,
        SocketException? resetAfterData = null)
        : base(loop, protocol)
    {
        _resetAfterData = resetAfterData;
        _socket = socket;
        _fd = EventLoop.FdOf(socket);
        _server = server;
        _reading = true;
        loop.ClaimFd(_fd, this);
        server?.Attach(this);

        // As asyncio: connection_made first, then reading starts, then the waiter learns the connection is up.
        loop.EnqueueReady(static s => ((StreamSocketTransport)s!).Start(), this);
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

    /// <summary>Reading is on: not paused, not closing, not lost.</summary>
    protected bool WantsToRead => _reading && !_closing && _connLost == 0;

    public override bool IsClosing => _closing;

    public override bool IsReading => _reading && !_closing;

    public override bool CanWriteEof => true;

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

    /// <summary>Starts or stops waiting for readability to match <see cref="WantsToRead"/>.</summary>
    protected abstract void UpdateReader();

    /// <summary>
    /// One non-blocking receive into <paramref name="buffer"/>: the byte count (0 at EOF), or -1 when nothing is there
    /// (<paramref name="error"/> null) or the receive failed (<paramref name="error"/> set).
    /// </summary>
    protected abstract int TryReceive(Span<byte> buffer, out SocketException? error);

    /// <summary>A send failed: the connection is lost with <paramref name="error"/> (the buffer is dropped).</summary>
    protected void OnWriteError(SocketException error) => FatalError(error, "Fatal write error on socket transport");

    /// <summary>The socket is about to be disposed: forget every registration with the backend.</summary>
    protected abstract void ReleaseIo();

    /// <summary>
    /// Receives once, straight into the protocol's buffer (or the loop's shared one for a plain protocol), and delivers
    /// what came: data, EOF, or a fatal error. False when nothing was there to read.
    /// </summary>
    protected bool ReadOnce()
    {
        int n;
        SocketException? error;
        if (_buffered is { } buffered)
        {
            Memory<byte> buffer;
            try
            {
                buffer = buffered.GetBufferFilledAtOnce(-1);
                if (buffer.Length == 0)
                {
                    throw new InvalidOperationException("BufferedProtocol.GetBuffer returned an empty buffer.");
                }
            }
            catch (Exception e)
            {
                FatalError(e, "Fatal error: protocol.GetBuffer() call failed");
                return true;
            }

            n = TryReceive(buffer.Span, out error);
            if (n > 0)
            {
                try
                {
                    buffered.BufferUpdated(n);
                }
                catch (Exception e)
                {
                    FatalError(e, "Fatal error: protocol.BufferUpdated() call failed");
                }

                return true;
            }
        }
        else
        {
            byte[] buffer = _loop.ReceiveBuffer;
            n = TryReceive(buffer, out error);
            if (n > 0)
            {
                try
                {
                    _protocol.DataReceived(new ReadOnlySpan<byte>(buffer, 0, n));
                }
                catch (Exception e)
                {
                    FatalError(e, "Fatal error: protocol.DataReceived() call failed");
                }

                return true;
            }
        }

        if (n == 0 && _resetAfterData is null)
        {
            OnEof();
            return true;
        }

        if (n < 0 && error is null)
        {
            return false;
        }

        FatalError(error ?? _resetAfterData!, "Fatal read error on socket transport");
        return true;
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

        WriteOrBuffer(data);
    }

    protected sealed override void OnWriteBufferEmpty()
    {
        if (_closing)
        {
            CallConnectionLost(null);
        }
        else if (_eof)
        {
            ShutdownWrite();
        }
    }

    private void ShutdownWrite()
    {
        try
        {
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (SocketException)
        {
            // the peer is gone already: reading will tell
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
            ShutdownWrite();
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
            StopWriting();
            _loop.EnqueueReady(static s => ((StreamSocketTransport)s!).CallConnectionLost(null), this);
        }
    }

    public override void Abort() => ForceClose(null);

    protected void FatalError(Exception error, string message)
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
            StopWriting();
        }

        if (!_closing)
        {
            _closing = true;
            UpdateReader();
        }

        _connLost++;
        _loop.EnqueueReady(static s =>
        {
            var (t, e) = ((StreamSocketTransport, Exception?))s!;
            t.CallConnectionLost(e);
        }, (this, error));
    }

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
            ReleaseIo();
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
        $"<{GetType().Name} fd={_fd}{(_closing ? " closing" : "")}{(_connLost > 0 ? " lost" : "")} write-buffer={_out.Count}>";
}
