using System.Threading.Tasks.Sources;

namespace Asyncio.IO;

/// <summary>
/// The raw side of a TLS connection as a <see cref="Stream"/> for <see cref="System.Net.Security.SslStream"/>: reads
/// come from what the raw transport delivered, writes go to the raw transport. A pending read completes when the
/// transport delivers data (never blocks). SslStream may continue its handshake on a thread-pool thread; calls made
/// there are moved onto the loop, in order.
/// </summary>
internal sealed class TransportStream : Stream, IValueTaskSource<int>
{
    private readonly Transport _raw;
    private readonly EventLoop _loop;
    private byte[] _data = new byte[16 * 1024];
    private int _start;
    private int _end;
    private bool _eof;
    private Exception? _error;
    private ManualResetValueTaskSourceCore<int> _core = new() { RunContinuationsAsynchronously = false };
    private Memory<byte> _pendingRead;
    private bool _readPending;

    public TransportStream(Transport raw)
    {
        _raw = raw;
        _loop = raw.Loop;
    }

    /// <summary>Ciphertext from the network.</summary>
    public void Feed(ReadOnlySpan<byte> bytes)
    {
        if (_data.Length - _end < bytes.Length)
        {
            int count = _end - _start;
            byte[] target = count + bytes.Length <= _data.Length ? _data : new byte[Math.Max(_data.Length * 2, count + bytes.Length)];
            Buffer.BlockCopy(_data, _start, target, 0, count);
            _data = target;
            _start = 0;
            _end = count;
        }

        bytes.CopyTo(_data.AsSpan(_end));
        _end += bytes.Length;
        CompletePendingRead();
    }

    public void FeedEof()
    {
        _eof = true;
        CompletePendingRead();
    }

    public void Fail(Exception error)
    {
        _error = error;
        CompletePendingRead();
    }

    private void CompletePendingRead()
    {
        if (!_readPending)
        {
            return;
        }

        if (_end > _start)
        {
            _readPending = false;
            _core.SetResult(Take(_pendingRead.Span));
        }
        else if (_error is not null)
        {
            _readPending = false;
            _core.SetException(_error);
        }
        else if (_eof)
        {
            _readPending = false;
            _core.SetResult(0);
        }
    }

    private int Take(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _end - _start);
        _data.AsSpan(_start, n).CopyTo(destination);
        _start += n;
        if (_start == _end)
        {
            _start = _end = 0;
        }

        return n;
    }

    private bool OnLoop => EventLoop.Current == _loop;

    /// <summary>Writes posted from other threads and not yet done; loop-thread writes queue behind them to keep the order.</summary>
    private int _postedWrites;

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        if (!OnLoop)
        {
            var done = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            PostToLoop(() =>
            {
                ValueTask<int> read = ReadAsync(buffer, cancellationToken);
                if (read.IsCompleted)
                {
                    Complete(done, read);
                }
                else
                {
                    read.GetAwaiter().UnsafeOnCompleted(() => Complete(done, read));
                }
            });
            return new ValueTask<int>(done.Task);
        }

        if (_end > _start)
        {
            return new ValueTask<int>(Take(buffer.Span));
        }

        if (_error is not null)
        {
            return ValueTask.FromException<int>(_error);
        }

        if (_eof || buffer.IsEmpty)
        {
            return new ValueTask<int>(0);
        }

        if (_readPending)
        {
            return ValueTask.FromException<int>(new InvalidOperationException("TLS: a read is already pending on the raw stream."));
        }

        _core.Reset();
        _pendingRead = buffer;
        _readPending = true;
        return new ValueTask<int>(this, _core.Version);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
    {
        Write(buffer.AsSpan(offset, count));
        return Task.CompletedTask;
    }

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        if (OnLoop && _postedWrites == 0)
        {
            WriteOnLoop(buffer);
            return;
        }

        byte[] copy = buffer.ToArray();
        Interlocked.Increment(ref _postedWrites);
        PostToLoop(() =>
        {
            Interlocked.Decrement(ref _postedWrites);
            WriteOnLoop(copy);
        });
    }

    private void WriteOnLoop(ReadOnlySpan<byte> buffer)
    {
        if (!_raw.IsClosing)
        {
            _raw.Write(buffer);
        }
    }

    private void PostToLoop(Action action)
    {
        if (!_loop.TryPost(static s => ((Action)s!)(), action))
        {
            throw new IOException("TLS: the event loop of this connection is closed.");
        }
    }

    private static void Complete(TaskCompletionSource<int> done, ValueTask<int> read)
    {
        try
        {
            done.TrySetResult(read.GetAwaiter().GetResult());
        }
        catch (Exception e)
        {
            done.TrySetException(e);
        }
    }

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override int Read(byte[] buffer, int offset, int count) =>
        throw new NotSupportedException("TLS on the loop reads asynchronously only; a synchronous read would block the loop.");

    public override void Flush()
    {
    }

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override bool CanRead => true;

    public override bool CanWrite => true;

    public override bool CanSeek => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    int IValueTaskSource<int>.GetResult(short token) => _core.GetResult(token);

    ValueTaskSourceStatus IValueTaskSource<int>.GetStatus(short token) => _core.GetStatus(token);

    void IValueTaskSource<int>.OnCompleted(Action<object?> continuation, object? state, short token, ValueTaskSourceOnCompletedFlags flags) =>
        _core.OnCompleted(continuation, state, token, flags);
}
