using static Asyncio.IO.LinuxInterop;

namespace Asyncio.IO;

/// <summary>
/// One end of a pipe driven by the epoll reactor: readiness callbacks, <c>read</c>/<c>write</c> called directly on the
/// non-blocking descriptor. The loop owns the descriptor and closes it.
/// </summary>
/// <remarks>Invariant: the reader is registered iff <see cref="PipeTransport.WantsToRead"/>; the writer iff the buffer is not empty.</remarks>
internal sealed unsafe class FdPipeTransport : PipeTransport
{
    private readonly int _fd;
    private readonly IIoSelector _io;
    private bool _readerRegistered;

    public FdPipeTransport(EventLoop loop, int fd, bool readable, Protocol protocol)
        : base(loop, readable, protocol)
    {
        _fd = fd;
        _io = loop.Io;
        SetNonBlocking(fd);
        loop.ClaimFd(fd, this);
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

    private static readonly Action<object?> s_onReadable = static s => ((FdPipeTransport)s!).OnReadable();
    private static readonly Action<object?> s_onWritable = static s => ((FdPipeTransport)s!).OnWritable();

    private void OnReadable()
    {
        if (_lost || !_readerRegistered)
        {
            return;
        }

        nint n;
        if (_buffered is { } buffered)
        {
            Memory<byte> buffer = buffered.GetBufferFilledAtOnce(-1);
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
            OnReadEof();
            return;
        }

        int errno = Errno;
        if (errno is not (EAGAIN or EINTR))
        {
            Fatal(new IOException($"Reading from a pipe failed: errno {errno}."), "Fatal read error on pipe transport");
        }
    }

    protected override int TryWriteNow(ReadOnlySpan<byte> data)
    {
        nint written;
        fixed (byte* p = data)
        {
            written = write(_fd, p, data.Length);
        }

        if (written >= 0)
        {
            return (int)written;
        }

        int errno = Errno;
        if (errno is EAGAIN or EINTR)
        {
            return 0;
        }

        Fatal(WriteFailed(errno), "Fatal write error on pipe transport");
        return -1;
    }

    private static IOException WriteFailed(int errno) =>
        new($"Writing to a pipe failed: errno {errno} (the reading process may have exited).");

    protected override void StartWriting() => _io.SetWriter(_fd, s_onWritable, this);

    protected override void StopWriting() => _io.SetWriter(_fd, null, null);

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

                OnWriteError(WriteFailed(errno));
                return;
            }

            _out.Consume((int)written);
        }

        OnWriteProgress();
    }

    protected override void Release()
    {
        _io.Forget(_fd);
        _loop.ReleaseFd(_fd);
        close(_fd);
    }

    public override object? GetExtraInfo(string name) => name == "pipe" ? _fd : null;

    public override string ToString() => $"<PipeTransport fd={_fd} {(_readable ? "read" : "write")}{(_closing ? " closing" : "")}>";
}
