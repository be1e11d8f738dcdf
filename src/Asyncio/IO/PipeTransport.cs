using static Asyncio.IO.LinuxInterop;

namespace Asyncio.IO;

/// <summary>
/// One end of a pipe driven by the epoll reactor (asyncio's <c>_UnixReadPipeTransport</c> and
/// <c>_UnixWritePipeTransport</c> in one class): the read end delivers data to its protocol, the write end sends
/// with a buffer and water marks. The loop owns the descriptor and closes it.
/// </summary>
internal sealed unsafe class PipeTransport : Transport
{
    private readonly EventLoop _loop;
    private readonly int _fd;
    private readonly bool _readable;
    private readonly IIoSelector _io;
    private readonly WriteBuffer _out = new();
    private Protocol _protocol;
    private BufferedProtocol? _buffered;
    private bool _reading = true;
    private bool _readerRegistered;
    private bool _closing;
    private bool _lost;
    private bool _protocolPaused;
    private int _high = DefaultHighWaterMark;
    private int _low = DefaultHighWaterMark / 4;

    public PipeTransport(EventLoop loop, int fd, bool readable, Protocol protocol)
    {
        _loop = loop;
        _fd = fd;
        _readable = readable;
        _io = loop.Io;
        _protocol = protocol;
        _buffered = protocol as BufferedProtocol;
        SetNonBlocking(fd);
        loop.ClaimFd(fd, this);
        loop.EnqueueReady(static s => ((PipeTransport)s!).Start(), this);
    }

    private void Start()
    {
        try
        {
            _protocol.ConnectionMade(this);
        }
        catch (Exception e)
        {
            Fatal(e, "Exception in Protocol.ConnectionMade");
            return;
        }

        if (_readable)
        {
            UpdateReader();
        }
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

    public override bool IsReading => _readable && _reading && !_closing;

    public override bool CanWriteEof => !_readable;

    public override int WriteBufferSize => _out.Count;

    public override (int High, int Low) WriteBufferLimits => (_high, _low);

    public override void PauseReading()
    {
        _reading = false;
        UpdateReader();
    }

    public override void ResumeReading()
    {
        _reading = true;
        UpdateReader();
    }

    private void UpdateReader()
    {
        bool want = _readable && _reading && !_closing && !_lost;
        if (want != _readerRegistered)
        {
            _readerRegistered = want;
            _io.SetReader(_fd, want ? s_onReadable : null, this);
        }
    }

    private static readonly Action<object?> s_onReadable = static s => ((PipeTransport)s!).OnReadable();
    private static readonly Action<object?> s_onWritable = static s => ((PipeTransport)s!).OnWritable();

    private void OnReadable()
    {
        if (_lost || !_readerRegistered)
        {
            return;
        }

        nint n;
        if (_buffered is { } buffered)
        {
            Memory<byte> buffer = buffered.GetBuffer(-1);
            fixed (byte* p = buffer.Span)
            {
                n = read(_fd, p, buffer.Length);
            }

            if (n > 0)
            {
                buffered.BufferUpdated((int)n);
                return;
            }
        }
        else
        {
            byte[] buffer = _loop.ReceiveBuffer;
            fixed (byte* p = buffer)
            {
                n = read(_fd, p, buffer.Length);
            }

            if (n > 0)
            {
                _protocol.DataReceived(new ReadOnlySpan<byte>(buffer, 0, (int)n));
                return;
            }
        }

        if (n == 0)
        {
            // The writer closed its end: EOF, then the transport closes.
            _closing = true;
            UpdateReader();
            try
            {
                _protocol.EofReceived();
            }
            catch (Exception e)
            {
                _loop.CallExceptionHandler(new LoopExceptionContext("Exception in Protocol.EofReceived") { Exception = e, Transport = this });
            }

            _loop.EnqueueReady(static s => ((PipeTransport)s!).ConnectionLost(null), this);
            return;
        }

        int errno = Errno;
        if (errno is not (EAGAIN or EINTR))
        {
            Fatal(new IOException($"Reading from a pipe failed: errno {errno}."), "Fatal read error on pipe transport");
        }
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        if (_readable)
        {
            throw new NotSupportedException("This is the read end of a pipe; it cannot be written to.");
        }

        if (data.IsEmpty || _lost)
        {
            return;
        }

        if (_out.Count == 0)
        {
            nint written;
            fixed (byte* p = data)
            {
                written = write(_fd, p, data.Length);
            }

            if (written < 0)
            {
                int errno = Errno;
                if (errno is not (EAGAIN or EINTR))
                {
                    Fatal(new IOException($"Writing to a pipe failed: errno {errno} (the reading process may have exited)."), "Fatal write error on pipe transport");
                    return;
                }

                written = 0;
            }

            data = data[(int)written..];
            if (data.IsEmpty)
            {
                return;
            }

            _io.SetWriter(_fd, s_onWritable, this);
        }

        _out.Append(data);
        if (_out.Count > _high && !_protocolPaused)
        {
            _protocolPaused = true;
            _protocol.PauseWriting();
        }
    }

    private void OnWritable()
    {
        if (_lost)
        {
            return;
        }

        if (_out.Count > 0)
        {
            nint written;
            ReadOnlySpan<byte> pending = _out.Pending;
            fixed (byte* p = pending)
            {
                written = write(_fd, p, pending.Length);
            }

            if (written < 0)
            {
                int errno = Errno;
                if (errno is EAGAIN or EINTR)
                {
                    return;
                }

                _out.Clear();
                _io.SetWriter(_fd, null, null);
                Fatal(new IOException($"Writing to a pipe failed: errno {errno} (the reading process may have exited)."), "Fatal write error on pipe transport");
                return;
            }

            _out.Consume((int)written);
            if (_protocolPaused && _out.Count <= _low)
            {
                _protocolPaused = false;
                _protocol.ResumeWriting();
            }
        }

        if (_out.Count == 0)
        {
            _io.SetWriter(_fd, null, null);
            if (_closing)
            {
                _loop.EnqueueReady(static s => ((PipeTransport)s!).ConnectionLost(null), this);
            }
        }
    }

    public override void WriteEof() => Close();

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
    }

    public override void Close()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        UpdateReader();
        if (_out.Count == 0)
        {
            _loop.EnqueueReady(static s => ((PipeTransport)s!).ConnectionLost(null), this);
        }
    }

    public override void Abort()
    {
        _out.Clear();
        if (!_lost)
        {
            _closing = true;
            UpdateReader();
            _loop.EnqueueReady(static s => ((PipeTransport)s!).ConnectionLost(null), this);
        }
    }

    private void Fatal(Exception error, string message)
    {
        if (error is not IOException)
        {
            _loop.CallExceptionHandler(new LoopExceptionContext(message) { Exception = error, Transport = this });
        }

        _out.Clear();
        _closing = true;
        UpdateReader();
        _loop.EnqueueReady(static s =>
        {
            var (t, e) = ((PipeTransport, Exception))s!;
            t.ConnectionLost(e);
        }, (this, error));
    }

    private void ConnectionLost(Exception? error)
    {
        if (_lost)
        {
            return;
        }

        _lost = true;
        _io.Forget(_fd);
        _loop.ReleaseFd(_fd);
        close(_fd);
        try
        {
            _protocol.ConnectionLost(error);
        }
        catch (Exception e)
        {
            _loop.CallExceptionHandler(new LoopExceptionContext("Exception in Protocol.ConnectionLost") { Exception = e, Transport = this });
        }
    }

    public override object? GetExtraInfo(string name) => name == "pipe" ? _fd : null;

    public override string ToString() => $"<PipeTransport fd={_fd} {(_readable ? "read" : "write")}{(_closing ? " closing" : "")}>";
}
