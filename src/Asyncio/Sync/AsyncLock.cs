namespace Asyncio;

/// <summary>
/// A mutual-exclusion lock for tasks (asyncio's <c>Lock</c>): FIFO and fair, not owned (any task may release it).
/// <code>await using (await lk.AcquireAsync()) { ... }</code>
/// Bound to the loop it is first used on; loop thread only.
/// </summary>
/// <remarks>
/// Fairness as CPython: the fast path is taken only when the lock is free and nobody waits; <see cref="Release"/>
/// wakes the first waiter and leaves the lock free until that waiter runs, so a newcomer cannot barge in. A woken
/// waiter cancelled before it runs passes the wake-up on to the next one.
/// </remarks>
public sealed class AsyncLock
{
    private readonly WaitQueue _waiters = new("AsyncLock.AcquireAsync");
    private bool _locked;

    /// <summary>True while some task holds the lock (asyncio's <c>locked()</c>).</summary>
    public bool IsLocked => _locked;

    /// <summary>Tasks waiting for the lock.</summary>
    public int WaitingCount => _waiters.Count;

    private bool CanTakeNow => !_locked && _waiters.Count == 0 && _waiters.InFlight == 0;

    /// <summary>
    /// Acquires the lock, waiting if it is held (asyncio's <c>acquire()</c>). Dispose the releaser the await returns
    /// (with <c>await using</c>) to release it. Nothing happens until the result is awaited (as a coroutine): an
    /// uncontended acquire then completes at once, allocating nothing. The wait ends with <see cref="CancelledError"/>
    /// if the task is cancelled, or <see cref="OperationCanceledException"/> if <paramref name="cancellationToken"/> is
    /// (an already cancelled token fails even when the lock is free).
    /// </summary>
    public AcquireAwaitable AcquireAsync(CancellationToken cancellationToken = default) => new(this, cancellationToken);

    /// <summary>The fast path, run when the acquire is awaited.</summary>
    private ValueCoroutine<LockReleaser> AcquireNow(CancellationToken cancellationToken)
    {
        if (cancellationToken.IsCancellationRequested)
        {
            return Canceled<LockReleaser>.Throw(cancellationToken);
        }

        if (CanTakeNow)
        {
            _locked = true;
            return new ValueCoroutine<LockReleaser>(new LockReleaser(this));
        }

        return AcquireSlowAsync(cancellationToken);
    }

    /// <summary>What <see cref="AcquireAsync"/> returns: await it, or turn it into a coroutine.</summary>
    public readonly struct AcquireAwaitable
    {
        private readonly AsyncLock _lock;
        private readonly CancellationToken _token;

        internal AcquireAwaitable(AsyncLock owner, CancellationToken token)
        {
            _lock = owner;
            _token = token;
        }

        /// <summary>Acquires now if the lock is free, else waits.</summary>
        public ValueCoroutineAwaiter<LockReleaser> GetAwaiter() => _lock.AcquireNow(_token).GetAwaiter();

        /// <summary>The acquire as a cold coroutine (for <see cref="Aio.CreateTask{T}(Coroutine{T}, string?)"/>): nothing happens until it runs.</summary>
        public Coroutine<LockReleaser> AsCoroutine() => _lock.AcquireSlowAsync(_token);
    }

    private async Coroutine<LockReleaser> AcquireSlowAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (CanTakeNow)
        {
            _locked = true;
            return new LockReleaser(this);
        }

        try
        {
            await _waiters.WaitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Keep the invariant: if the lock is free and nobody is about to take it, the first waiter must run.
            if (!_locked && _waiters.InFlight == 0)
            {
                _waiters.WakeOne();
            }

            throw;
        }

        _locked = true;
        return new LockReleaser(this);
    }

    /// <summary>Releases the lock and wakes the first waiter (asyncio's <c>release()</c>).</summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public void Release()
    {
        _waiters.CheckThread("AsyncLock.Release");
        if (!_locked)
        {
            throw new InvalidOperationException("Lock is not acquired: Release was called on an AsyncLock that nobody holds.");
        }

        _locked = false;
        if (_waiters.InFlight == 0)
        {
            _waiters.WakeOne();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"<AsyncLock [{(_locked ? "locked" : "unlocked")}] waiters={_waiters.Count}>";
}

/// <summary>Releases an <see cref="AsyncLock"/> (or an <see cref="AsyncCondition"/>'s lock) when disposed.</summary>
public readonly struct LockReleaser : IDisposable, IAsyncDisposable
{
    private readonly AsyncLock? _lock;

    internal LockReleaser(AsyncLock owner) => _lock = owner;

    /// <summary>Releases the lock.</summary>
    public void Dispose() => _lock?.Release();

    /// <summary>Releases the lock (for <c>await using</c>).</summary>
    public ValueTask DisposeAsync()
    {
        _lock?.Release();
        return ValueTask.CompletedTask;
    }
}
