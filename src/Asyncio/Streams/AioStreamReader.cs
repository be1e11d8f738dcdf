using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;

namespace Asyncio;

/// <summary>
/// Reads from a connection (asyncio's <c>StreamReader</c>): bytes arrive into its buffer straight from the socket
/// (no copy), and the read methods take them out. Reading is paused when more than twice <see cref="Limit"/> is
/// buffered and resumed once it drops to the limit. One task may wait for data at a time. Loop thread only.
/// </summary>
public sealed class AioStreamReader : IAsyncEnumerable<byte[]>, IResumeCondition
{
    /// <summary>The default buffer limit (asyncio: 64 KiB).</summary>
    public const int DefaultLimit = 64 * 1024;

    private readonly int _limit;

    /// <summary>
    /// The task waiting for data (one at a time). New data wakes it with <see cref="WaitQueue.WakeOneChecked"/>, so it
    /// resumes only while data, EOF or an error is there; EOF and errors stay, so they wake it plainly.
    /// </summary>
    private readonly WaitQueue _waiter;
    private byte[] _buffer = Array.Empty<byte>();
    private int _start;
    private int _end;
    private bool _eof;
    private Exception? _exception;
    private Transport? _transport;
    private bool _paused;

    // Direct delivery: a task parked in ReadAsync(Memory<byte>) on an empty buffer lends its destination, and a
    // transport that fills a buffer at once receives straight into it (no copy out of _buffer). One delivery per wait.
    private AioTask? _directTask;            // the task whose ReadAwaiter parked, while it may still be parked here
    private long _directSeq;                 // its wait's sequence number (the task is parked here iff it still matches)
    private Memory<byte> _directDestination; // its destination
    private int _directCount;                // bytes delivered into it, not yet returned by its resume
    private bool _directOffered;             // the last GetWriteSpace handed out _directDestination

    /// <summary>A reader with a buffer limit of <paramref name="limit"/> bytes.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is zero or negative.</exception>
    public AioStreamReader(int limit = DefaultLimit)
    {
        if (limit <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(limit), limit, "Limit cannot be <= 0: it is the most a line or separator search may buffer.");
        }

        _limit = limit;
        _waiter = new WaitQueue("AioStreamReader.WaitForData", this);
    }

    /// <summary>Something for a waiting read: buffered bytes, the end of the stream, or an error.</summary>
    private bool HasDataOrEnd() => _end > _start || _eof || _exception is not null;

    /// <summary>A read woken by new data resumes only while there is something to read (see <see cref="WaitQueue.WakeOneChecked"/>).</summary>
    bool IResumeCondition.CanResume => _directCount > 0 || HasDataOrEnd();

    /// <summary>The buffer limit.</summary>
    public int Limit => _limit;

    /// <summary>Bytes buffered and not read yet.</summary>
    public int BufferedCount => _end - _start;

    /// <summary>True once the end of the stream was reached and every buffered byte was read (asyncio's <c>at_eof()</c>).</summary>
    public bool AtEof => _eof && _end == _start;

    internal bool EofFed => _eof;

    /// <summary>The error the connection broke with, if any (asyncio's <c>exception()</c>).</summary>
    public Exception? Exception => _exception;

    internal void SetTransport(Transport transport) => _transport = transport;

    // ------------------------------------------------------------------ feeding

    /// <summary>Appends bytes (asyncio's <c>feed_data</c>); for tests and custom protocols.</summary>
    /// <exception cref="InvalidOperationException">After <see cref="FeedEof"/>.</exception>
    public void FeedData(ReadOnlySpan<byte> data)
    {
        if (_eof)
        {
            throw new InvalidOperationException("FeedData after FeedEof: the stream already ended.");
        }

        if (data.IsEmpty)
        {
            return;
        }

        data.CopyTo(GetWriteSpace(data.Length).Span);   // never direct: a read that runs before the woken one takes these (see the tests)
        Commit(data.Length);
    }

    /// <summary>Marks the end of the stream (asyncio's <c>feed_eof</c>) and wakes a waiting reader.</summary>
    public void FeedEof()
    {
        _eof = true;
        _waiter.WakeAll();
    }

    /// <summary>Makes waiting and later reads throw <paramref name="error"/> (asyncio's <c>set_exception</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="error"/> is null.</exception>
    public void SetException(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        _exception = error;
        _waiter.WakeAll();
    }

    /// <summary>
    /// Free space at the end of the buffer, at least <paramref name="atLeast"/> bytes (the transport receives into it).
    /// With <paramref name="direct"/> (the caller fills it and calls <see cref="Commit"/> before it returns, no await in
    /// between), a task parked in <see cref="ReadAsync(Memory{byte})"/> on an empty buffer lends its destination
    /// instead, once per wait: its resume then returns those bytes without a copy.
    /// </summary>
    internal Memory<byte> GetWriteSpace(int atLeast, bool direct = false)
    {
        if (direct && _directCount == 0 && _end == _start && !_eof && _exception is null
            && _directTask is { } t && ReferenceEquals(t._waiter, _waiter) && t._waitSeq == _directSeq
            && _directDestination.Length >= Math.Max(atLeast, 1))
        {
            _directOffered = true;
            return _directDestination;
        }

        _directOffered = false;
        int want = Math.Max(atLeast, 16 * 1024);
        if (_buffer.Length - _end < want)
        {
            int count = _end - _start;
            if (_start > 0 && count + want <= _buffer.Length)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, count);   // compact
            }
            else
            {
                var bigger = GC.AllocateUninitializedArray<byte>((int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(count + want)));
                Buffer.BlockCopy(_buffer, _start, bigger, 0, count);
                _buffer = bigger;
            }

            _start = 0;
            _end = count;
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary><paramref name="count"/> bytes were written into the space <see cref="GetWriteSpace"/> handed out.</summary>
    internal void Commit(int count)
    {
        if (_directOffered)
        {
            _directOffered = false;
            Debug.Assert(_directCount == 0 && count <= _directDestination.Length);
            _directCount = count;
        }
        else
        {
            _end += count;
        }

        _waiter.WakeOneChecked();
        if (_transport is not null && !_paused && _end - _start + _directCount > 2 * _limit)
        {
            _paused = true;
            _transport.PauseReading();
        }
    }

    private void Consume(int count)
    {
        _start += count;
        if (_start == _end)
        {
            _start = _end = 0;
            if (_buffer.Length > 4 * _limit)
            {
                _buffer = Array.Empty<byte>();   // a burst grew it: give it back
            }
        }

        if (_paused && _end - _start <= _limit)
        {
            _paused = false;
            _transport?.ResumeReading();
        }
    }

    private ReadOnlySpan<byte> Buffered => new(_buffer, _start, _end - _start);

    private byte[] Take(int count)
    {
        byte[] data = Buffered[..count].ToArray();
        Consume(count);
        return data;
    }

    private void ThrowIfFailed()
    {
        if (_exception is not null)
        {
            ExceptionDispatchInfo.Throw(_exception);
        }
    }

    /// <summary>
    /// Waits until data, the end of the stream or an error arrives (asyncio's <c>_wait_for_data</c>); throws at once if
    /// another task is waiting already. Awaited without a coroutine frame of its own: the task parks in the wait queue.
    /// </summary>
    private DataWait WaitForData(string member, CancellationToken cancellationToken = default)
    {
        if (_waiter.Count > 0)
        {
            throw ReadWhileWaiting(member);
        }

        return new DataWait(this, cancellationToken);
    }

    /// <summary>What <see cref="WaitForData"/> returns: its own awaiter. Used only by the reader's coroutines.</summary>
    private readonly struct DataWait : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly AioStreamReader _reader;
        private readonly CancellationToken _token;

        public DataWait(AioStreamReader reader, CancellationToken token)
        {
            _reader = reader;
            _token = token;
        }

        public DataWait GetAwaiter() => this;

        /// <summary>Always false (waiting always parks); throws when no loop runs on this thread.</summary>
        public bool IsCompleted => _reader._waiter.WaitAsync(_token).GetAwaiter().IsCompleted;

        /// <summary>Returns once woken; throws the reader's error, <see cref="CancelledError"/> or <see cref="OperationCanceledException"/>.</summary>
        public void GetResult()
        {
            _reader._waiter.WaitAsync(_token).GetAwaiter().GetResult();
            _reader.ThrowIfFailed();
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame)
        {
            _reader.ResumeReadingToWait();
            _reader._waiter.Park(task, _token);
        }

        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        public void UnsafeOnCompleted(Action continuation)
        {
            _reader.ResumeReadingToWait();
            _reader._waiter.WaitAsync(_token).GetAwaiter().UnsafeOnCompleted(continuation);
        }
    }

    private static InvalidOperationException ReadWhileWaiting(string member) => new(
        $"{member}() called while another task is already waiting for incoming data on this reader. Read a stream from one task at a time.");

    /// <summary>About to wait for data: reading must be on (waiting while paused would deadlock).</summary>
    private void ResumeReadingToWait()
    {
        if (_paused)
        {
            _paused = false;
            _transport?.ResumeReading();
        }
    }

    // ------------------------------------------------------------------ reads

    /// <summary>
    /// Reads up to <paramref name="destination"/>.Length bytes into it and returns how many; 0 at the end of the stream.
    /// Returns as soon as at least one byte is there; allocates nothing.
    /// </summary>
    public ReadAwaitable ReadAsync(Memory<byte> destination) => new(this, destination);

    /// <summary>What <see cref="ReadAsync(Memory{byte})"/> returns: await it, or turn it into a coroutine.</summary>
    public readonly struct ReadAwaitable
    {
        private readonly AioStreamReader _reader;
        private readonly Memory<byte> _destination;

        internal ReadAwaitable(AioStreamReader reader, Memory<byte> destination)
        {
            _reader = reader;
            _destination = destination;
        }

        /// <summary>Copies buffered bytes at once, else waits for some.</summary>
        /// <exception cref="InvalidOperationException">Another task is already waiting for data on this reader.</exception>
        public ReadAwaiter GetAwaiter() => new(_reader, _destination);

        /// <summary>The read as a cold coroutine: nothing is read until it runs.</summary>
        public Coroutine<int> AsCoroutine() => _reader.ReadIntoSlowAsync(_destination);
    }

    /// <summary>
    /// Awaits <see cref="ReadAsync(Memory{byte})"/> without a coroutine frame: buffered bytes (or the end of the
    /// stream) are copied when the awaiter is made, right before <c>IsCompleted</c>; otherwise the task parks in the
    /// reader's wait queue and copies when it resumes, which it does only while data, EOF or an error is there (see
    /// <see cref="WaitQueue.WakeOneChecked"/>), so one wait is always enough.
    /// </summary>
    public readonly struct ReadAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private const int Waits = -1;   // nothing to read yet: the task waits
        private const int Busy = -2;    // another task is waiting already: GetResult throws

        // Few fields, two of them references: the awaiter is copied into the awaiting coroutine's frame at each wait.
        private readonly AioStreamReader _reader;
        private readonly Memory<byte> _destination;
        private readonly int _count;    // the bytes copied at once (0: empty destination or EOF), or Waits, or Busy

        internal ReadAwaiter(AioStreamReader reader, Memory<byte> destination)
        {
            reader.ThrowIfFailed();
            _reader = reader;
            _destination = destination;
            if (destination.IsEmpty)
            {
                _count = 0;
            }
            else if (reader._end > reader._start || reader._eof)
            {
                _count = reader.CopyOut(destination.Span);
            }
            else
            {
                _count = reader._waiter.Count > 0 ? Busy : Waits;
            }
        }

        /// <summary>True when the read completed at once; throws when a wait is needed and no loop runs on this thread.</summary>
        public bool IsCompleted => _count != Waits || (EventLoop.Current is not null ? false : throw ThrowHelper.NoRunningLoop("AioStreamReader.ReadAsync"));

        /// <summary>The number of bytes read; 0 at the end of the stream.</summary>
        public int GetResult()
        {
            if (_count != Waits)
            {
                return _count == Busy ? throw ReadWhileWaiting("ReadAsync") : _count;
            }

            int direct = _reader.EndDirectWait();
            try
            {
                _reader._waiter.WaitAsync().GetAwaiter().GetResult();   // CancelledError if the task was cancelled meanwhile (the data stays buffered)
            }
            catch when (direct > 0)
            {
                _reader.Unread(_destination.Span[..direct]);   // delivered into the destination: back to the front of the buffer
                _reader.UpdatePause();
                throw;
            }

            if (direct > 0)
            {
                _reader.UpdatePause();
                return direct;   // received straight into the destination; an error or EOF after them shows at the next read
            }

            _reader.ThrowIfFailed();
            Debug.Assert(_reader.HasDataOrEnd(), "A waiting read resumed with nothing to read.");
            return _reader.CopyOut(_destination.Span);
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame)
        {
            _reader.ResumeReadingToWait();
            _reader._waiter.Park(task, default);
            _reader._directTask = task;
            _reader._directSeq = task._waitSeq;
            _reader._directDestination = _destination;
        }

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

        /// <summary>Plain .NET async code waits in the reader's queue too; its continuation runs on the loop.</summary>
        public void UnsafeOnCompleted(Action continuation)
        {
            _reader.ResumeReadingToWait();
            _reader._waiter.WaitAsync().GetAwaiter().UnsafeOnCompleted(continuation);
        }
    }

    /// <summary>A ReadAwaiter's wait ended: forgets its destination and returns the bytes delivered into it.</summary>
    private int EndDirectWait()
    {
        if (_directTask is null || !ReferenceEquals(EventLoop.Current?._currentTask, _directTask))
        {
            return 0;   // not this wait's (a cancelled read resuming after another task parked and lent its destination)
        }

        int count = _directCount;
        _directCount = 0;
        _directTask = null;
        _directDestination = default;
        _directOffered = false;
        return count;
    }

    /// <summary>After direct bytes were taken or put back: pauses above twice the limit, resumes at the limit, as usual.</summary>
    private void UpdatePause()
    {
        if (_paused && _end - _start <= _limit)
        {
            _paused = false;
            _transport?.ResumeReading();
        }
        else if (_transport is not null && !_paused && _end - _start > 2 * _limit)
        {
            _paused = true;
            _transport.PauseReading();
        }
    }

    /// <summary>Puts <paramref name="data"/> back in front of the buffered bytes (a cancelled read's direct delivery).</summary>
    private void Unread(ReadOnlySpan<byte> data)
    {
        int count = _end - _start;
        if (_start >= data.Length)
        {
            _start -= data.Length;
        }
        else
        {
            byte[] target = _buffer.Length >= count + data.Length
                ? _buffer
                : GC.AllocateUninitializedArray<byte>((int)System.Numerics.BitOperations.RoundUpToPowerOf2((uint)(count + data.Length)));
            Buffer.BlockCopy(_buffer, _start, target, data.Length, count);   // overlapping moves are safe
            _buffer = target;
            _start = 0;
            _end = count + data.Length;
        }

        data.CopyTo(_buffer.AsSpan(_start));
    }

    private async Coroutine<int> ReadIntoSlowAsync(Memory<byte> destination)
    {
        ThrowIfFailed();
        while (_end == _start && !_eof && !destination.IsEmpty)
        {
            await WaitForData("ReadAsync");
        }

        return CopyOut(destination.Span);
    }

    private int CopyOut(Span<byte> destination)
    {
        int n = Math.Min(destination.Length, _end - _start);
        Buffered[..n].CopyTo(destination);
        Consume(n);
        return n;
    }

    /// <summary>
    /// Reads up to <paramref name="n"/> bytes (asyncio's <c>read(n)</c>): as soon as at least one is there; an empty
    /// array at the end of the stream; with n &lt; 0, everything until the end.
    /// </summary>
    public async Coroutine<byte[]> ReadAsync(int n = -1)
    {
        ThrowIfFailed();
        if (n == 0)
        {
            return Array.Empty<byte>();
        }

        if (n < 0)
        {
            var all = new List<byte[]>();
            while (true)
            {
                byte[] block = await ReadAsync(_limit);
                if (block.Length == 0)
                {
                    break;
                }

                all.Add(block);
            }

            return all.SelectMany(b => b).ToArray();
        }

        if (_end == _start && !_eof)
        {
            await WaitForData("ReadAsync");
        }

        return Take(Math.Min(n, _end - _start));
    }

    /// <summary>Reads exactly <paramref name="n"/> bytes (asyncio's <c>readexactly</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    /// <exception cref="IncompleteReadError">The stream ended first (the bytes read are in <see cref="IncompleteReadError.Partial"/>).</exception>
    public async Coroutine<byte[]> ReadExactlyAsync(int n)
    {
        if (n < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(n), n, "ReadExactlyAsync size can not be less than zero.");
        }

        ThrowIfFailed();
        if (n == 0)
        {
            return Array.Empty<byte>();
        }

        while (_end - _start < n)
        {
            if (_eof)
            {
                byte[] incomplete = Take(_end - _start);
                throw new IncompleteReadError(incomplete, n);
            }

            await WaitForData("ReadExactlyAsync");
        }

        return Take(n);
    }

    /// <summary>Fills <paramref name="destination"/> completely; allocates nothing when the bytes are buffered.</summary>
    /// <exception cref="IncompleteReadError">The stream ended first.</exception>
    public ReadExactlyAwaitable ReadExactlyAsync(Memory<byte> destination) => new(this, destination);

    /// <summary>What <see cref="ReadExactlyAsync(Memory{byte})"/> returns: await it, or turn it into a coroutine.</summary>
    public readonly struct ReadExactlyAwaitable
    {
        private readonly AioStreamReader _reader;
        private readonly Memory<byte> _destination;

        internal ReadExactlyAwaitable(AioStreamReader reader, Memory<byte> destination)
        {
            _reader = reader;
            _destination = destination;
        }

        /// <summary>Fills the destination at once when the bytes are buffered, else waits for them.</summary>
        public ValueCoroutineAwaiter GetAwaiter() => _reader.ReadExactlyNow(_destination).GetAwaiter();

        /// <summary>The read as a cold coroutine: nothing is read until it runs.</summary>
        public Coroutine AsCoroutine() => _reader.ReadExactlySlowAsync(_destination);
    }

    private ValueCoroutine ReadExactlyNow(Memory<byte> destination)
    {
        ThrowIfFailed();
        if (_end - _start >= destination.Length)
        {
            CopyOut(destination.Span);
            return ValueCoroutine.Completed;
        }

        return ReadExactlySlowAsync(destination);
    }

    private async Coroutine ReadExactlySlowAsync(Memory<byte> destination)
    {
        ThrowIfFailed();   // AsCoroutine() comes here directly: a stored error wins over buffered bytes, as in ReadExactlyNow
        while (_end - _start < destination.Length)
        {
            if (_eof)
            {
                throw new IncompleteReadError(Take(_end - _start), destination.Length);
            }

            await WaitForData("ReadExactlyAsync");
        }

        CopyOut(destination.Span);
    }

    /// <summary>
    /// Reads one line, "\n" included (asyncio's <c>readline</c>). At the end of the stream it returns the partial last
    /// line, or an empty array. A line longer than <see cref="Limit"/> is dropped and throws.
    /// </summary>
    /// <exception cref="ArgumentException">The line is longer than the limit (asyncio raises ValueError).</exception>
    public Coroutine<byte[]> ReadLineAsync() => ReadLineCoreAsync(default);

    /// <summary><see cref="ReadLineAsync"/> whose waits end with <see cref="OperationCanceledException"/> when <paramref name="cancellationToken"/> fires.</summary>
    private async Coroutine<byte[]> ReadLineCoreAsync(CancellationToken cancellationToken)
    {
        try
        {
            return await ReadUntilCoreAsync(s_newline, cancellationToken);
        }
        catch (IncompleteReadError e)
        {
            return e.Partial;
        }
        catch (LimitOverrunError e)
        {
            if (Buffered.Length >= e.Consumed + 1 && Buffered[e.Consumed] == (byte)'\n')
            {
                Consume(e.Consumed + 1);
            }
            else
            {
                Consume(_end - _start);
            }

            throw new ArgumentException(e.Message, e);
        }
    }

    private static readonly byte[][] s_newline = [[(byte)'\n']];

    /// <summary>Reads until <paramref name="separator"/>, which is included (asyncio's <c>readuntil</c>).</summary>
    /// <exception cref="ArgumentException">The separator is empty.</exception>
    /// <exception cref="IncompleteReadError">The stream ended first (the whole buffer is in <see cref="IncompleteReadError.Partial"/>).</exception>
    /// <exception cref="LimitOverrunError">No separator within the limit; the data stays buffered.</exception>
    public Coroutine<byte[]> ReadUntilAsync(byte[] separator)
    {
        ArgumentNullException.ThrowIfNull(separator);
        return ReadUntilAsync([separator]);
    }

    /// <summary>Shortest first, as asyncio tries them (only for several separators: one needs no copy).</summary>
    private static byte[][] SortedByLength(IReadOnlyList<byte[]> separators)
    {
        var sorted = new byte[separators.Count][];
        for (int i = 0; i < sorted.Length; i++)
        {
            sorted[i] = separators[i];
        }

        Array.Sort(sorted, static (a, b) => (a?.Length ?? 0).CompareTo(b?.Length ?? 0));
        return sorted;
    }

    /// <summary>Reads until the first of <paramref name="separators"/> (the shortest match wins), which is included.</summary>
    /// <exception cref="ArgumentException">No separator, or an empty one.</exception>
    /// <exception cref="IncompleteReadError">The stream ended first.</exception>
    /// <exception cref="LimitOverrunError">No separator within the limit; the data stays buffered.</exception>
    public Coroutine<byte[]> ReadUntilAsync(IReadOnlyList<byte[]> separators) => ReadUntilCoreAsync(separators, default);

    private async Coroutine<byte[]> ReadUntilCoreAsync(IReadOnlyList<byte[]> separators, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(separators);
        if (separators.Count == 0)
        {
            throw new ArgumentException("Separator should contain at least one element.", nameof(separators));
        }

        IReadOnlyList<byte[]> seps = separators.Count == 1 ? separators : SortedByLength(separators);
        if (seps[0] is null || seps[0].Length == 0)
        {
            throw new ArgumentException("Separator should be at least one-byte string.", nameof(separators));
        }

        int minLen = seps[0].Length, maxLen = seps[seps.Count - 1].Length;
        ThrowIfFailed();
        int offset = 0;
        int matchStart, matchEnd;
        while (true)
        {
            int buflen = _end - _start;
            if (buflen - offset >= minLen)
            {
                matchStart = matchEnd = -1;
                foreach (byte[] sep in seps)
                {
                    int i = Buffered[offset..].IndexOf(sep);
                    if (i >= 0)
                    {
                        int end = offset + i + sep.Length;
                        if (matchEnd < 0 || end < matchEnd)
                        {
                            matchEnd = end;
                            matchStart = offset + i;
                        }
                    }
                }

                if (matchEnd >= 0)
                {
                    break;
                }

                offset = Math.Max(0, buflen + 1 - maxLen);
                if (offset > _limit)
                {
                    throw new LimitOverrunError("Separator is not found, and chunk exceed the limit", offset);
                }
            }

            if (_eof)
            {
                throw new IncompleteReadError(Take(_end - _start), null);
            }

            await WaitForData("ReadUntilAsync", cancellationToken);
        }

        if (matchStart > _limit)
        {
            throw new LimitOverrunError("Separator is found, but chunk is longer than limit", matchStart);
        }

        return Take(matchEnd);
    }

    /// <summary>
    /// Reads line after line until the end of the stream (asyncio's <c>async for line in reader</c>). Inside a task,
    /// cancelling the task ends the loop with <see cref="CancelledError"/> even while it waits for a line (the task's
    /// <see cref="AioTask.CancellationToken"/> is watched, linked with <paramref name="cancellationToken"/> when one is
    /// given); a cancelled <paramref name="cancellationToken"/> ends it with <see cref="OperationCanceledException"/>.
    /// A line cut short by cancellation stays buffered.
    /// </summary>
    public IAsyncEnumerator<byte[]> GetAsyncEnumerator(CancellationToken cancellationToken = default) =>
        ReadLinesAsync(EventLoop.Current?._currentTask, cancellationToken);

    // await foreach is plain .NET async code: the task awaits MoveNextAsync as a foreign awaitable, which a cancel cannot
    // interrupt, so the waits watch the task's token instead (as AsyncQueue's enumerator does).
    private async IAsyncEnumerator<byte[]> ReadLinesAsync(AioTask? owner, CancellationToken userToken)
    {
        CancellationTokenSource? linked = owner is not null && userToken.CanBeCanceled
            ? CancellationTokenSource.CreateLinkedTokenSource(userToken, owner.CancellationToken)
            : null;
        CancellationToken token = linked?.Token ?? owner?.CancellationToken ?? userToken;
        try
        {
            while (true)
            {
                userToken.ThrowIfCancellationRequested();
                byte[] line;
                try
                {
                    line = await ReadLineCoreAsync(token);
                }
                catch (OperationCanceledException e) when (e.CancellationToken == token && token != userToken)
                {
                    if (userToken.IsCancellationRequested)
                    {
                        throw new OperationCanceledException(userToken);
                    }

                    owner!.NoteCancelDeliveredByToken();   // this error delivers the task's pending cancel
                    throw owner.MakeCancelledError();
                }

                if (line.Length == 0)
                {
                    yield break;
                }

                yield return line;
            }
        }
        finally
        {
            linked?.Dispose();
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"<AioStreamReader {_end - _start} bytes{(_eof ? " eof" : "")} limit={_limit}{(_paused ? " paused" : "")}{(_exception is not null ? $" exception={_exception.GetType().Name}" : "")}>";
}
