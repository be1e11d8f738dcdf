using System.Runtime.CompilerServices;

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
        public AcquireAwaiter GetAwaiter() => new(_lock, _token);

        /// <summary>The acquire as a cold coroutine (for <see cref="Aio.CreateTask{T}(Coroutine{T}, string?)"/>): nothing happens until it runs.</summary>
        public Coroutine<LockReleaser> AsCoroutine() => _lock.AcquireSlowAsync(_token);
    }

    /// <summary>
    /// Awaits the lock without a coroutine frame of its own: the fast path runs when the awaiter is made (right before
    /// <c>IsCompleted</c>); a contended acquire parks the task in the wait queue until <see cref="Release"/> wakes it.
    /// </summary>
    public readonly struct AcquireAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly AsyncLock _lock;
        private readonly WaitQueue.WaitAwaiter _wait;
        private readonly CancellationToken _token;
        private readonly bool _ready;   // taken now, or the token was already cancelled

        internal AcquireAwaiter(AsyncLock owner, CancellationToken token)
        {
            _lock = owner;
            _token = token;
            _wait = owner._waiters.WaitAsync(token).GetAwaiter();
            if (token.IsCancellationRequested)
            {
                _ready = true;
            }
            else if (owner.CanTakeNow)
            {
                owner._locked = true;
                _ready = true;
            }
        }

        /// <summary>True when the lock was taken at once; throws when a wait is needed and no loop runs on this thread.</summary>
        public bool IsCompleted => _ready || _wait.IsCompleted;

        /// <summary>The releaser; throws <see cref="CancelledError"/> or <see cref="OperationCanceledException"/> when the wait was cancelled.</summary>
        public LockReleaser GetResult()
        {
            if (_ready)
            {
                _token.ThrowIfCancellationRequested();
                return new LockReleaser(_lock);
            }

            _lock.AfterWait(_wait);
            return new LockReleaser(_lock);
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _wait.Park(task);

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => _wait.OnCompleted(continuation);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => _wait.UnsafeOnCompleted(continuation);
    }

    /// <summary>After a wait: take the lock the wake-up left free for us, unless the wait was cancelled.</summary>
    private void AfterWait(WaitQueue.WaitAwaiter wait)
    {
        try
        {
            wait.GetResult();
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
    }

    /// <summary>The cold form (<see cref="AcquireAwaitable.AsCoroutine"/>): the same acquire, run when the coroutine runs.</summary>
    private async Coroutine<LockReleaser> AcquireSlowAsync(CancellationToken cancellationToken) =>
        await new AcquireAwaitable(this, cancellationToken);

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
