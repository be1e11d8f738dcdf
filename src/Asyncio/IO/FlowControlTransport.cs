namespace Asyncio.IO;

/// <summary>
/// What every byte-stream transport of the loop shares, whichever backend drives it (asyncio's <c>_FlowControlMixin</c>
/// plus the protocol plumbing): the protocol and its buffered form, the write buffer and its water marks, and pausing
/// and resuming the protocol's writing. Loop thread only.
/// </summary>
/// <remarks>Invariant: the protocol is paused iff it was told <see cref="Protocol.PauseWriting"/> and not resumed since.</remarks>
internal abstract class FlowControlTransport : Transport
{
    protected readonly EventLoop _loop;

    /// <summary>Bytes the kernel did not take yet (with those in flight, on the portable backend).</summary>
    protected readonly WriteBuffer _out = new();

    protected Protocol _protocol;

    /// <summary>The protocol when it lends its own buffer (asyncio's <c>BufferedProtocol</c>), else null.</summary>
    protected BufferedProtocol? _buffered;

    private bool _protocolPaused;
    private int _high = DefaultHighWaterMark;
    private int _low = DefaultHighWaterMark / 4;

    protected FlowControlTransport(EventLoop loop, Protocol protocol)
    {
        _loop = loop;
        _protocol = protocol;
        _buffered = protocol as BufferedProtocol;
    }

    public sealed override EventLoop Loop => _loop;

    public sealed override Protocol Protocol
    {
        get => _protocol;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _protocol = value;
            _buffered = value as BufferedProtocol;
        }
    }

    public sealed override int WriteBufferSize => _out.Count;

    public sealed override (int High, int Low) WriteBufferLimits => (_high, _low);

    public sealed override void SetWriteBufferLimits(int? high = null, int? low = null)
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

    /// <summary>
    /// Writes what the kernel takes at once without blocking: the byte count (0 when it took none, or when the backend
    /// only writes asynchronously), or -1 when the write failed and the transport is already being lost.
    /// </summary>
    protected abstract int TryWriteNow(ReadOnlySpan<byte> data);

    /// <summary>The write buffer just became non-empty: start moving it out.</summary>
    protected abstract void StartWriting();

    /// <summary>The write buffer is empty or dropped: stop working on it.</summary>
    protected abstract void StopWriting();

    /// <summary>The write buffer drained: finish what waited for it (a close, a half-close).</summary>
    protected abstract void OnWriteBufferEmpty();

    /// <summary>
    /// Sends <paramref name="data"/> at once when nothing is buffered and the kernel takes it, buffers the rest (then
    /// the backend moves it out), and pauses the protocol above the high-water mark. Never blocks.
    /// </summary>
    protected void WriteOrBuffer(ReadOnlySpan<byte> data)
    {
        if (_out.Count == 0)
        {
            int sent = TryWriteNow(data);
            if (sent < 0)
            {
                return;
            }

            data = data[sent..];
            if (data.IsEmpty)
            {
                return;
            }

            _out.Append(data);
            StartWriting();
        }
        else
        {
            _out.Append(data);
        }

        MaybePauseProtocol();
    }

    /// <summary>Some of the buffer went out: resumes the protocol below the low-water mark; once empty, stops writing and finishes what waited.</summary>
    protected void OnWriteProgress()
    {
        MaybeResumeProtocol();
        if (_out.Count == 0)
        {
            StopWriting();
            OnWriteBufferEmpty();
        }
    }

    /// <summary>Tells the protocol to pause writing once the buffer went over the high-water mark.</summary>
    protected void MaybePauseProtocol()
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

    /// <summary>Tells a paused protocol to resume writing once the buffer drained to the low-water mark.</summary>
    protected void MaybeResumeProtocol()
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

    /// <summary>
    /// Hands bytes the transport received into a buffer of its own to the protocol: as they are to
    /// <see cref="Protocol.DataReceived"/>, or copied into as many of a buffered protocol's buffers as they need
    /// (asyncio's <c>_feed_data_to_buffered_proto</c>). What the protocol throws propagates.
    /// </summary>
    protected void DeliverCopy(ReadOnlySpan<byte> data)
    {
        if (_buffered is not { } buffered)
        {
            _protocol.DataReceived(data);
            return;
        }

        while (!data.IsEmpty)
        {
            Memory<byte> buffer = buffered.GetBufferFilledAtOnce(data.Length);
            if (buffer.IsEmpty)
            {
                throw new InvalidOperationException("BufferedProtocol.GetBuffer returned an empty buffer.");
            }

            int n = Math.Min(buffer.Length, data.Length);
            data[..n].CopyTo(buffer.Span);
            buffered.BufferUpdated(n);
            data = data[n..];
        }
    }
}
