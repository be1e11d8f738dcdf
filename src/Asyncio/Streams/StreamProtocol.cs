namespace Asyncio;

/// <summary>
/// Adapts a transport to a reader and a writer (asyncio's <c>StreamReaderProtocol</c> with <c>FlowControlMixin</c>):
/// the transport receives straight into the reader's buffer; pause/resume of writing releases <c>DrainAsync</c>.
/// </summary>
internal sealed class StreamProtocol : BufferedProtocol
{
    private readonly EventLoop _loop;
    private readonly AioStreamReader? _reader;   // null for the write end of a pipe
    private readonly Func<AioStreamReader, AioStreamWriter, Coroutine>? _clientConnected;
    private readonly AioProcess? _process;         // the child whose pipe this is
    private readonly WaitQueue _drainWaiters = new();
    private readonly Future<bool> _closed;
    private Transport? _transport;
    private bool _paused;
    private bool _connectionLost;
    private Exception? _lostError;

    public StreamProtocol(EventLoop loop, AioStreamReader? reader, Func<AioStreamReader, AioStreamWriter, Coroutine>? clientConnected, AioProcess? process = null)
    {
        _loop = loop;
        _reader = reader;
        _clientConnected = clientConnected;
        _process = process;
        _closed = loop.CreateFuture<bool>();
    }

    public AioStreamWriter? Writer { get; private set; }

    public bool IsWritingPaused => _paused;

    public override void ConnectionMade(Transport transport)
    {
        _transport = transport;
        _reader?.SetTransport(transport);
        if (Writer is not null)
        {
            return;   // StartTlsAsync: the same reader and writer now ride the TLS transport
        }

        Writer = new AioStreamWriter(transport, this, _reader);
        if (_clientConnected is null || _reader is null)
        {
            return;
        }

        AioTask task = _loop.CreateTask(_clientConnected(_reader, Writer));
        task.AddInternalCallback(static s =>
        {
            var (t, transport, loop) = ((AioTask, Transport, EventLoop))s!;
            if (t.IsCancelled)
            {
                transport.Close();
                return;
            }

            if (t.IsFaulted)
            {
                t._flags |= FutureFlags.Retrieved;
                loop.CallExceptionHandler(new LoopExceptionContext("Unhandled exception in client_connected_cb")
                {
                    Exception = (Exception)t._outcome!,
                    Transport = transport,
                });
                transport.Close();
            }
        }, (task, transport, _loop));
    }

    public override Memory<byte> GetBuffer(int sizeHint) => _reader!.GetWriteSpace(sizeHint, direct: false);

    internal override Memory<byte> GetBufferFilledAtOnce(int sizeHint) => _reader!.GetWriteSpace(sizeHint, direct: true);

    public override void BufferUpdated(int bytesRead) => _reader!.Commit(bytesRead);

    public override bool EofReceived()
    {
        _reader?.FeedEof();
        return true;   // keep the writing side open (half-close), as asyncio without TLS
    }

    public override void ConnectionLost(Exception? error)
    {
        _connectionLost = true;
        _lostError = error;
        if (error is null)
        {
            if (_reader is { AtEof: false } r && !IsEofFed(r))
            {
                r.FeedEof();
            }

            _closed.TrySetResult(true);
        }
        else
        {
            _reader?.SetException(error);
            _closed.TrySetException(error);
            _closed._flags |= FutureFlags.Retrieved;   // reported through the reader and WaitClosedAsync, not as "never retrieved"
        }

        _drainWaiters.WakeAll();
        _process?.PipeClosed();
    }

    private static bool IsEofFed(AioStreamReader reader) => reader.EofFed;

    public override void PauseWriting() => _paused = true;

    public override void ResumeWriting()
    {
        _paused = false;
        _drainWaiters.WakeAll();
    }

    public async Coroutine DrainHelperAsync()
    {
        if (_connectionLost)
        {
            throw new IOException("Connection lost: the peer closed or reset the connection; nothing more can be written.", _lostError);
        }

        if (!_paused)
        {
            return;
        }

        await _drainWaiters.WaitAsync();
        if (_connectionLost && _lostError is not null)
        {
            throw new IOException("Connection lost while waiting to drain.", _lostError);
        }
    }

    public async Coroutine WaitClosedAsync() => await _closed;
}
