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
            Memory<byte> buffer = buffered.GetBuffer(data.Length);
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
