namespace Asyncio.Testing;

/// <summary>
/// One end of an in-memory byte-stream connection: a <see cref="Transport"/> without a socket, for testing protocols
/// on one loop. Make a connected pair with <see cref="CreatePair(EventLoop, Protocol, Protocol, string, string)"/>.
/// </summary>
/// <remarks>
/// <para>
/// It behaves like a loop-owned socket with no kernel buffer: bytes written reach the peer's protocol on a later
/// loop iteration (never inside <see cref="Write"/>), in order, in chunks of at most <see cref="MaxChunkSize"/>.
/// While the peer has paused reading, written bytes wait in this end's write buffer, so a fast writer sees the
/// peer's back-pressure: its protocol gets <see cref="Protocol.PauseWriting"/> above the high-water mark and
/// <see cref="Protocol.ResumeWriting"/> once the buffer drains to the low-water mark.
/// </para>
/// <para>
/// <see cref="WriteEof"/> delivers <see cref="Protocol.EofReceived"/> to the peer after the buffered bytes; if the
/// peer's protocol returns false, the peer closes. <see cref="Close"/> sends the buffered bytes, then EOF, then
/// calls this end's <see cref="Protocol.ConnectionLost"/> with null. <see cref="Abort"/> drops the buffer and does
/// the same at once. Bytes sent to an end that is closing are dropped; writing to an end whose connection is lost
/// loses this end's connection too, with an <see cref="IOException"/> (a broken pipe). An exception thrown by a
/// protocol callback is reported to the loop's exception handler and aborts that protocol's end.
/// </para>
/// <para>Loop thread only, like every transport.</para>
/// </remarks>
public sealed class MemoryTransport : Transport
{
    /// <summary>The most bytes handed to a protocol in one <see cref="Protocol.DataReceived"/> call (64 KiB).</summary>
    public const int MaxChunkSize = 64 * 1024;

    private static readonly Action<object?> s_pump = static s => ((MemoryTransport)s!).Pump();

    private readonly EventLoop _loop;
    private readonly string _name;
    private readonly ByteQueue _buffer = new();
    private MemoryTransport _peer = null!;
    private Protocol _protocol;
    private int _high = DefaultHighWaterMark;
    private int _low = DefaultHighWaterMark / 4;
    private bool _readingPaused;
    private bool _writingPaused;   // the protocol was told PauseWriting and not yet ResumeWriting
    private bool _pumpScheduled;
    private bool _eofWritten;
    private bool _eofSent;
    private bool _closing;
    private bool _lost;

    private MemoryTransport(EventLoop loop, Protocol protocol, string name)
    {
        _loop = loop;
        _protocol = protocol;
        _name = name;
    }

    /// <summary>
    /// Connects <paramref name="first"/> and <paramref name="second"/> through two in-memory transports on the running
    /// loop; see <see cref="CreatePair(EventLoop, Protocol, Protocol, string, string)"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException">A protocol is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static (MemoryTransport First, MemoryTransport Second) CreatePair(Protocol first, Protocol second) =>
        CreatePair(RunningLoop(nameof(CreatePair)), first, second);

    /// <summary>
    /// Connects <paramref name="first"/> and <paramref name="second"/> through two in-memory transports on
    /// <paramref name="loop"/>. Both protocols get <see cref="Protocol.ConnectionMade"/> before this returns (first,
    /// then second), as after an awaited <c>CreateConnection</c>.
    /// </summary>
    /// <param name="loop">The loop both ends run on.</param>
    /// <param name="first">The protocol of the first end.</param>
    /// <param name="second">The protocol of the second end.</param>
    /// <param name="firstName">What the first end reports as "sockname" (and the second as "peername").</param>
    /// <param name="secondName">What the second end reports as "sockname" (and the first as "peername").</param>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or runs on another thread.</exception>
    public static (MemoryTransport First, MemoryTransport Second) CreatePair(EventLoop loop, Protocol first, Protocol second,
        string firstName = "memory:1", string secondName = "memory:2")
    {
        ArgumentNullException.ThrowIfNull(loop);
        ArgumentNullException.ThrowIfNull(first);
        ArgumentNullException.ThrowIfNull(second);
        ArgumentNullException.ThrowIfNull(firstName);
        ArgumentNullException.ThrowIfNull(secondName);
        if (loop.IsClosed)
        {
            throw new InvalidOperationException("MemoryTransport.CreatePair: the event loop is closed; create the pair on an open loop.");
        }

        var a = new MemoryTransport(loop, first, firstName);
        var b = new MemoryTransport(loop, second, secondName);
        a._peer = b;
        b._peer = a;
        a.CheckThread(nameof(CreatePair));
        a.CallProtocol(static (p, t) => p.ConnectionMade(t), "ConnectionMade");
        b.CallProtocol(static (p, t) => p.ConnectionMade(t), "ConnectionMade");
        return (a, b);
    }

    /// <inheritdoc/>
    public override EventLoop Loop => _loop;

    /// <inheritdoc/>
    /// <exception cref="ArgumentNullException">Set to null.</exception>
    public override Protocol Protocol
    {
        get => _protocol;
        set => _protocol = value ?? throw new ArgumentNullException(nameof(value));
    }

    /// <summary>The other end of the connection.</summary>
    public MemoryTransport Peer => _peer;

    /// <inheritdoc/>
    public override bool IsClosing => _closing;

    /// <inheritdoc/>
    public override bool IsReading => !_readingPaused && !_closing;

    /// <inheritdoc/>
    public override bool CanWriteEof => true;

    /// <inheritdoc/>
    public override int WriteBufferSize => _buffer.Count;

    /// <inheritdoc/>
    public override (int High, int Low) WriteBufferLimits => (_high, _low);

    /// <inheritdoc/>
    public override void PauseReading()
    {
        CheckThread(nameof(PauseReading));
        _readingPaused = true;
    }

    /// <inheritdoc/>
    public override void ResumeReading()
    {
        CheckThread(nameof(ResumeReading));
        if (_readingPaused)
        {
            _readingPaused = false;
            _peer.SchedulePump();   // what the peer holds back for us can flow again
        }
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">After <see cref="WriteEof"/>, or called from another thread.</exception>
    public override void Write(ReadOnlySpan<byte> data)
    {
        CheckThread(nameof(Write));
        if (_eofWritten)
        {
            throw new InvalidOperationException($"Write after WriteEof on {this}: the writing side is already shut down.");
        }

        if (_closing || data.IsEmpty)
        {
            return;   // as asyncio: writes to a closing transport are dropped
        }

        _buffer.Append(data);
        SchedulePump();
        if (!_writingPaused && _buffer.Count > _high)
        {
            _writingPaused = true;
            CallProtocol(static (p, _) => p.PauseWriting(), "PauseWriting");
        }
    }

    /// <inheritdoc/>
    public override void WriteEof()
    {
        CheckThread(nameof(WriteEof));
        if (_closing || _eofWritten)
        {
            return;
        }

        _eofWritten = true;
        SchedulePump();
    }

    /// <inheritdoc/>
    /// <exception cref="ArgumentOutOfRangeException">A mark is negative, or low exceeds high.</exception>
    public override void SetWriteBufferLimits(int? high = null, int? low = null)
    {
        CheckThread(nameof(SetWriteBufferLimits));
        int h = high ?? (low is int l0 ? 4 * l0 : DefaultHighWaterMark);
        int l = low ?? h / 4;
        if (h < 0 || l < 0 || l > h)
        {
            throw new ArgumentOutOfRangeException(nameof(high), $"high ({h}) must be >= low ({l}) >= 0.");
        }

        _high = h;
        _low = l;
        UpdateWritingPaused();
    }

    /// <inheritdoc/>
    public override void Close()
    {
        CheckThread(nameof(Close));
        if (_closing)
        {
            return;
        }

        _closing = true;
        SchedulePump();
    }

    /// <inheritdoc/>
    public override void Abort()
    {
        CheckThread(nameof(Abort));
        if (_lost)
        {
            return;
        }

        _closing = true;
        _buffer.Clear();
        SchedulePump();
    }

    /// <summary>"sockname" and "peername" are the names given to <c>CreatePair</c>; anything else is null.</summary>
    public override object? GetExtraInfo(string name) => name switch
    {
        "sockname" => _name,
        "peername" => _peer._name,
        _ => null,
    };

    /// <inheritdoc/>
    public override string ToString() =>
        $"<MemoryTransport {_name}->{_peer._name}{(_lost ? " lost" : _closing ? " closing" : "")} buffered={_buffer.Count}>";

    private void SchedulePump()
    {
        if (!_pumpScheduled && !_lost && !_loop.IsClosed)
        {
            _pumpScheduled = true;
            _loop.CallSoon(s_pump, this);
        }
    }

    /// <summary>
    /// Loop callback: moves this end's buffered bytes to the peer while it reads, then (buffer empty) delivers EOF and,
    /// when closing, loses the connection. One pump per end does all of it, so its events keep their order.
    /// </summary>
    private void Pump()
    {
        _pumpScheduled = false;
        if (_lost)
        {
            return;
        }

        MemoryTransport peer = _peer;
        while (_buffer.Count > 0)
        {
            if (peer._lost)
            {
                int undelivered = _buffer.Count;
                _buffer.Clear();
                LoseConnection(new IOException(
                    $"Broken pipe: {peer._name}, the other end of {_name}, is closed; {undelivered} byte(s) written were not delivered."));
                return;
            }

            if (peer._closing)
            {
                _buffer.Clear();   // a closing end reads no more: what it would have read is dropped
                break;
            }

            if (peer._readingPaused)
            {
                break;             // kept here until the peer resumes reading (back-pressure)
            }

            int n = Math.Min(_buffer.Count, MaxChunkSize);
            int taken = peer.Deliver(_buffer.Peek(n));
            if (taken < 0)
            {
                _buffer.Consume(n);
                break;             // the peer's protocol failed and its end was aborted
            }

            _buffer.Consume(taken);
            if (_lost)
            {
                return;            // our own protocol closed us from a callback of the peer's
            }
        }

        UpdateWritingPaused();
        if (_buffer.Count > 0)
        {
            return;
        }

        if ((_eofWritten || _closing) && !_eofSent)
        {
            _eofSent = true;
            if (!peer._lost && !peer._closing)
            {
                bool keepOpen = false;
                peer.CallProtocol((p, _) => keepOpen = p.EofReceived(), "EofReceived");
                if (!keepOpen)
                {
                    peer.Close();
                }
            }
        }

        if (_closing)
        {
            LoseConnection(null);
        }
    }

    /// <summary>
    /// Hands <paramref name="data"/> to this end's protocol and returns how many bytes it took (a
    /// <see cref="BufferedProtocol"/> may pause reading between two of its buffers), or -1 if the protocol threw (this
    /// end is then aborted).
    /// </summary>
    private int Deliver(ReadOnlySpan<byte> data)
    {
        string callback = "DataReceived";
        try
        {
            if (_protocol is BufferedProtocol buffered)
            {
                int taken = 0;
                while (taken < data.Length && !_readingPaused && !_closing)
                {
                    callback = "GetBuffer";
                    Memory<byte> into = buffered.GetBuffer(data.Length - taken);
                    if (into.IsEmpty)
                    {
                        throw new InvalidOperationException("BufferedProtocol.GetBuffer returned an empty buffer.");
                    }

                    int n = Math.Min(into.Length, data.Length - taken);
                    data.Slice(taken, n).CopyTo(into.Span);
                    callback = "BufferUpdated";
                    buffered.BufferUpdated(n);
                    taken += n;
                }

                return taken;
            }

            _protocol.DataReceived(data);
            return data.Length;
        }
        catch (Exception e)
        {
            Fail(e, callback);
            return -1;
        }
    }

    private void UpdateWritingPaused()
    {
        if (!_writingPaused && _buffer.Count > _high && !_lost)
        {
            _writingPaused = true;
            CallProtocol(static (p, _) => p.PauseWriting(), "PauseWriting");
        }
        else if (_writingPaused && _buffer.Count <= _low)
        {
            _writingPaused = false;
            if (!_lost)
            {
                CallProtocol(static (p, _) => p.ResumeWriting(), "ResumeWriting");
            }
        }
    }

    private void LoseConnection(Exception? error)
    {
        if (_lost)
        {
            return;
        }

        _lost = true;
        _closing = true;
        _buffer.Clear();
        try
        {
            _protocol.ConnectionLost(error);
        }
        catch (Exception e)
        {
            Report(e, "ConnectionLost");
        }
    }

    /// <summary>A protocol callback threw: report it and abort this end (asyncio's "Fatal error: protocol... failed").</summary>
    private void Fail(Exception e, string callback)
    {
        Report(e, callback);
        if (!_lost)
        {
            _closing = true;
            _buffer.Clear();
            SchedulePump();
        }
    }

    private void Report(Exception e, string callback) =>
        _loop.CallExceptionHandler(new LoopExceptionContext($"Fatal error: protocol.{callback}() call failed.")
        {
            Exception = e,
            Transport = this,
            Protocol = _protocol,
        });

    private void CallProtocol(Action<Protocol, MemoryTransport> callback, string name)
    {
        try
        {
            callback(_protocol, this);
        }
        catch (Exception e)
        {
            Fail(e, name);
        }
    }

    private void CheckThread(string member)
    {
        if (_loop.IsRunning && !ReferenceEquals(EventLoop.Current, _loop))
        {
            throw new InvalidOperationException(
                $"MemoryTransport.{member} was called from a thread that does not run its loop. Transports are loop-thread only: " +
                "use loop.CallSoonThreadSafe to get there.");
        }
    }

    private static EventLoop RunningLoop(string member) => EventLoop.Current ?? throw new InvalidOperationException(
        $"MemoryTransport.{member} needs a running event loop on this thread: call it from a coroutine, or pass the loop.");
}
