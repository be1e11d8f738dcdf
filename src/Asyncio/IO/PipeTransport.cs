namespace Asyncio.IO;

/// <summary>
/// One end of a pipe to a child process as a transport, whichever backend drives it (asyncio's
/// <c>_UnixReadPipeTransport</c> and <c>_UnixWritePipeTransport</c> in one class): the read end delivers data to its
/// protocol and closes at EOF, the write end sends with a buffer and water marks and <see cref="WriteEof"/> closes it.
/// A backend supplies how the end is read and written, and how it is released.
/// </summary>
/// <remarks>Invariants: the backend reads iff <see cref="WantsToRead"/>; it works on the write buffer iff the buffer is not empty; <see cref="Protocol.ConnectionLost"/> is called once.</remarks>
internal abstract class PipeTransport : FlowControlTransport
{
    protected readonly bool _readable;
    private bool _reading = true;
    protected bool _closing;
    protected bool _lost;

    protected PipeTransport(EventLoop loop, bool readable, Protocol protocol)
        : base(loop, protocol)
    {
        _readable = readable;
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

    /// <summary>The read end, reading not paused, not closing, not lost.</summary>
    protected bool WantsToRead => _readable && _reading && !_closing && !_lost;

    public override bool IsClosing => _closing;

    public override bool IsReading => _readable && _reading && !_closing;

    public override bool CanWriteEof => !_readable;

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

    /// <summary>Starts or stops reading to match <see cref="WantsToRead"/>.</summary>
    protected abstract void UpdateReader();

    /// <summary>Forgets the end with the backend and closes it.</summary>
    protected abstract void Release();

    /// <summary>The writer closed its end: EOF to the protocol, then the transport closes.</summary>
    protected void OnReadEof()
    {
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

        WriteOrBuffer(data);
    }

    protected sealed override void OnWriteBufferEmpty()
    {
        if (_closing)
        {
            _loop.EnqueueReady(static s => ((PipeTransport)s!).ConnectionLost(null), this);
        }
    }

    /// <summary>A write failed (the reading process may have exited): the buffer is dropped and the transport lost.</summary>
    protected void OnWriteError(Exception error)
    {
        _out.Clear();
        StopWriting();
        Fatal(error, "Fatal write error on pipe transport");
    }

    public override void WriteEof() => Close();

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

    protected void Fatal(Exception error, string message)
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
        Release();
        try
        {
            _protocol.ConnectionLost(error);
        }
        catch (Exception e)
        {
            _loop.CallExceptionHandler(new LoopExceptionContext("Exception in Protocol.ConnectionLost") { Exception = e, Transport = this });
        }
    }
}
