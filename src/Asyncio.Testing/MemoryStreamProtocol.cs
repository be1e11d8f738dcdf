namespace Asyncio.Testing;

/// <summary>
/// Feeds a <see cref="AioStreamReader"/> from a transport and tracks the transport's write pauses for
/// <see cref="MemoryStreamWriter.DrainAsync"/> (what the core's internal stream protocol does for sockets).
/// </summary>
internal sealed class MemoryStreamProtocol : Protocol
{
    private readonly EventLoop _loop;
    private readonly Future<bool> _closed;
    private Future<bool>? _drained;   // pending while writing is paused
    private bool _eofFed;

    public MemoryStreamProtocol(EventLoop loop, AioStreamReader reader)
    {
        _loop = loop;
        Reader = reader;
        _closed = loop.CreateFuture<bool>();
    }

    public AioStreamReader Reader { get; }

    public bool IsWritingPaused => _drained is not null;

    public bool IsConnectionLost { get; private set; }

    public Exception? LostError { get; private set; }

    public override void DataReceived(ReadOnlySpan<byte> data)
    {
        if (!_eofFed)
        {
            Reader.FeedData(data);
        }
    }

    public override bool EofReceived()
    {
        FeedEof();
        return true;   // keep the writing side open (half-close), as the core's streams do over TCP
    }

    public override void ConnectionLost(Exception? error)
    {
        IsConnectionLost = true;
        LostError = error;
        if (error is null)
        {
            FeedEof();
        }
        else if (!_eofFed)
        {
            Reader.SetException(error);
        }

        _closed.TrySetResult(true);   // the error, if any, is rethrown by WaitClosedAsync: a failed future would be reported as never retrieved
        WakeDrainers();
    }

    public override void PauseWriting() => _drained ??= _loop.CreateFuture<bool>();

    public override void ResumeWriting() => WakeDrainers();

    /// <summary>Waits until writing is resumed or the connection is lost.</summary>
    public async Coroutine WaitDrainedAsync()
    {
        while (_drained is { } drained && !IsConnectionLost)
        {
            await drained;
        }
    }

    public async Coroutine WaitClosedAsync()
    {
        await _closed;
        if (LostError is { } error)
        {
            throw new IOException("The in-memory connection was lost: " + error.Message, error);
        }
    }

    private void FeedEof()
    {
        if (!_eofFed)
        {
            _eofFed = true;
            Reader.FeedEof();
        }
    }

    private void WakeDrainers()
    {
        Future<bool>? drained = _drained;
        _drained = null;
        drained?.TrySetResult(true);
    }
}
