using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A counting semaphore (asyncio's <c>Semaphore</c>): <see cref="AcquireAsync"/> takes one of the permits, waiting
/// while none is left; <see cref="Release"/> returns one. FIFO: while anyone waits, newcomers queue behind even if a
/// permit is free. <code>await using (await sem.AcquireAsync()) { ... }</code>
/// Bound to the loop it is first used on; loop thread only.
/// </summary>
public class AsyncSemaphore
{
    private readonly WaitQueue _waiters = new("AsyncSemaphore.AcquireAsync");
    private int _value;

    /// <summary>A semaphore with <paramref name="initialCount"/> permits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public AsyncSemaphore(int initialCount = 1)
    {
        if (initialCount < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(initialCount), initialCount, "A semaphore's initial count must be zero or more.");
        }

        _value = initialCount;
    }

    /// <summary>Permits free now.</summary>
    public int CurrentCount => _value;

    /// <summary>
    /// True when an acquire would wait (asyncio's <c>locked()</c>): no permit is free, or tasks are waiting or about
    /// to run with a permit (FIFO).
    /// </summary>
    public bool IsLocked => _value == 0 || _waiters.Count > 0 || _waiters.InFlight > 0;

    /// <summary>
    /// Takes a permit, waiting while none is free (asyncio's <c>acquire()</c>); dispose the releaser to give it back.
    /// Nothing happens until the result is awaited (as a coroutine); an uncontended acquire then allocates nothing.
    /// Ends with <see cref="CancelledError"/> if the task is cancelled, or <see cref="OperationCanceledException"/> if
    /// <paramref name="cancellationToken"/> is; a permit handed to a waiter that is cancelled goes to the next one.
    /// </summary>
    public AcquireAwaitable AcquireAsync(CancellationToken cancellationToken = default) => new(this, cancellationToken);

    /// <summary>What <see cref="AcquireAsync"/> returns: await it, or turn it into a coroutine.</summary>
    public readonly struct AcquireAwaitable
    {
        private readonly AsyncSemaphore _semaphore;
        private readonly CancellationToken _token;

        internal AcquireAwaitable(AsyncSemaphore semaphore, CancellationToken token)
        {
            _semaphore = semaphore;
            _token = token;
        }

        /// <summary>Takes a permit now if one is free (and nobody waits), else waits.</summary>
        public AcquireAwaiter GetAwaiter() => new(_semaphore, _token);

        /// <summary>The acquire as a cold coroutine: nothing happens until it runs.</summary>
        public Coroutine<SemaphoreReleaser> AsCoroutine() => _semaphore.AcquireSlowAsync(_token);
    }

    /// <summary>
    /// Awaits a permit without a coroutine frame of its own: the fast path runs when the awaiter is made (right before
    /// <c>IsCompleted</c>); a contended acquire parks the task in the wait queue, and the permit travels with the wake-up.
    /// </summary>
    public readonly struct AcquireAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly AsyncSemaphore _semaphore;
        private readonly WaitQueue.WaitAwaiter _wait;
        private readonly CancellationToken _token;
        private readonly bool _ready;   // a permit was taken now, or the token was already cancelled

        internal AcquireAwaiter(AsyncSemaphore semaphore, CancellationToken token)
        {
            _semaphore = semaphore;
            _token = token;
            _wait = semaphore._waiters.WaitAsync(token).GetAwaiter();
            if (token.IsCancellationRequested)
            {
                _ready = true;
            }
            else if (!semaphore.IsLocked)
            {
                semaphore._value--;
                _ready = true;
            }
        }

        /// <summary>True when the permit was taken at once; throws when a wait is needed and no loop runs on this thread.</summary>
        public bool IsCompleted => _ready || _wait.IsCompleted;

        /// <summary>The permit's releaser; throws <see cref="CancelledError"/> or <see cref="OperationCanceledException"/> when the wait was cancelled.</summary>
        public SemaphoreReleaser GetResult()
        {
            if (_ready)
            {
                _token.ThrowIfCancellationRequested();
                return new SemaphoreReleaser(_semaphore);
            }

            _semaphore.AfterWait(_wait);
            return new SemaphoreReleaser(_semaphore);
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _wait.Park(task);

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => _wait.OnCompleted(continuation);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => _wait.UnsafeOnCompleted(continuation);
    }

    /// <summary>After a wait: the permit came with the wake-up, unless the wait was cancelled (then it goes on).</summary>
    private void AfterWait(WaitQueue.WaitAwaiter wait)
    {
        try
        {
            try
            {
                wait.GetResult();
            }
            catch (OperationCanceledException)
            {
                if (_waiters.ResumedAfterWake)
                {
                    _value++;   // a permit was handed to us but we will not take it
                }

                throw;
            }
        }
        finally
        {
            // Newcomers may have queued behind us (FIFO) while permits were free: wake as many as allowed.
            while (_value > 0 && WakeUpNext())
            {
            }
        }
    }

    /// <summary>The cold form (<see cref="AcquireAwaitable.AsCoroutine"/>): the same acquire, run when the coroutine runs.</summary>
    private async Coroutine<SemaphoreReleaser> AcquireSlowAsync(CancellationToken cancellationToken) =>
        await new AcquireAwaitable(this, cancellationToken);

    /// <summary>Returns a permit and wakes the first waiter (asyncio's <c>release()</c>).</summary>
    /// <exception cref="System.Threading.SemaphoreFullException">A bounded semaphore was released more often than acquired.</exception>
    public virtual void Release()
    {
        _waiters.CheckThread("AsyncSemaphore.Release");
        _value++;
        WakeUpNext();
    }

    private bool WakeUpNext()
    {
        if (_waiters.WakeOne())
        {
            _value--;   // the permit travels with the wake-up
            return true;
        }

        return false;
    }

    /// <inheritdoc/>
    public override string ToString() => $"<{GetType().Name} [{(IsLocked ? "locked" : "unlocked")}] value={_value} waiters={_waiters.Count}>";
}

/// <summary>
/// A semaphore that refuses to be released above its initial count (asyncio's <c>BoundedSemaphore</c>), which catches
/// a release without an acquire.
/// </summary>
public sealed class AsyncBoundedSemaphore : AsyncSemaphore
{
    private readonly int _bound;

    /// <summary>A bounded semaphore with <paramref name="initialCount"/> permits.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="initialCount"/> is negative.</exception>
    public AsyncBoundedSemaphore(int initialCount = 1)
        : base(initialCount) => _bound = initialCount;

    /// <summary>Returns a permit.</summary>
    /// <exception cref="SemaphoreFullException">Released more often than acquired.</exception>
    public override void Release()
    {
        if (CurrentCount >= _bound)
        {
            throw new SemaphoreFullException($"BoundedSemaphore released too many times: it already holds its initial {_bound} permit(s).");
        }

        base.Release();
    }
}

/// <summary>Returns a semaphore permit when disposed.</summary>
public readonly struct SemaphoreReleaser : IDisposable, IAsyncDisposable
{
    private readonly AsyncSemaphore? _semaphore;

    internal SemaphoreReleaser(AsyncSemaphore semaphore) => _semaphore = semaphore;

    /// <summary>Returns the permit.</summary>
    public void Dispose() => _semaphore?.Release();

    /// <summary>Returns the permit (for <c>await using</c>).</summary>
    public ValueTask DisposeAsync()
    {
        _semaphore?.Release();
        return ValueTask.CompletedTask;
    }
}
