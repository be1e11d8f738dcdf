using System.Runtime.ExceptionServices;

namespace Asyncio;

/// <summary>
/// A condition variable (asyncio's <c>Condition</c>): tasks holding its lock <see cref="WaitAsync"/> for a
/// notification; <see cref="Notify"/> wakes some, <see cref="NotifyAll"/> all, in FIFO order. Bound to a lock
/// (a new one unless given). Loop thread only.
/// </summary>
/// <remarks>
/// As CPython 3.13: <see cref="WaitAsync"/> always re-acquires the lock before it returns or throws, even when
/// cancelled, and if anything is thrown out of it, it notifies another waiter so that a notification is never lost
/// (spurious wake-ups are allowed).
/// </remarks>
public sealed class AsyncCondition
{
    private readonly AsyncLock _lock;
    private readonly WaitQueue _waiters = new("AsyncCondition.WaitAsync");

    /// <summary>A condition with a lock of its own, or bound to <paramref name="lockToUse"/>.</summary>
    public AsyncCondition(AsyncLock? lockToUse = null) => _lock = lockToUse ?? new AsyncLock();

    /// <summary>The underlying lock.</summary>
    public AsyncLock Lock => _lock;

    /// <summary>True while the underlying lock is held.</summary>
    public bool IsLocked => _lock.IsLocked;

    /// <summary>Acquires the underlying lock; see <see cref="AsyncLock.AcquireAsync"/>.</summary>
    public AsyncLock.AcquireAwaitable AcquireAsync(CancellationToken cancellationToken = default) => _lock.AcquireAsync(cancellationToken);

    /// <summary>Releases the underlying lock.</summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public void Release() => _lock.Release();

    /// <summary>
    /// Releases the lock, waits for a notification, re-acquires the lock and returns true (asyncio's <c>wait()</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    /// <exception cref="CancelledError">The task was cancelled (the lock is held again).</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled (the lock is held again).</exception>
    public async Coroutine<bool> WaitAsync(CancellationToken cancellationToken = default)
    {
        if (!_lock.IsLocked)
        {
            throw new InvalidOperationException("Cannot wait on an un-acquired lock: acquire the condition (await cond.AcquireAsync()) before WaitAsync.");
        }

        _waiters.BindToRunningLoop("AsyncCondition.WaitAsync");   // before the lock is given up (3.13: the future first)
        _lock.Release();
        try
        {
            Exception? error = null;
            try
            {
                await _waiters.WaitAsync(cancellationToken);
            }
            catch (OperationCanceledException e)
            {
                error = e;
            }

            // Re-acquire the lock even if the wait was cancelled; a cancel during the re-acquire is remembered and
            // the latest one rethrown once the lock is held.
            while (true)
            {
                try
                {
                    await _lock.AcquireAsync();
                    break;
                }
                catch (CancelledError e)
                {
                    error = e;
                }
            }

            if (error is not null)
            {
                ExceptionDispatchInfo.Throw(error);
            }

            return true;
        }
        catch
        {
            // This task may already have been notified: hand the notification to another waiter.
            NotifyCore(1);
            throw;
        }
    }

    /// <summary>
    /// Waits until <paramref name="predicate"/> is true (asyncio's <c>wait_for</c>); returns at once, without needing
    /// the lock, if it already is.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="predicate"/> is null.</exception>
    public async Coroutine<bool> WaitForAsync(Func<bool> predicate, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predicate);
        bool result = predicate();
        while (!result)
        {
            await WaitAsync(cancellationToken);
            result = predicate();
        }

        return result;
    }

    /// <summary>Wakes up to <paramref name="n"/> waiting tasks, first come first served (asyncio's <c>notify(n)</c>).</summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="n"/> is negative.</exception>
    public void Notify(int n = 1)
    {
        _waiters.CheckThread("AsyncCondition.Notify");
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (!_lock.IsLocked)
        {
            throw new InvalidOperationException("Cannot notify on an un-acquired lock: acquire the condition before Notify.");
        }

        NotifyCore(n);
    }

    /// <summary>Wakes every waiting task (asyncio's <c>notify_all()</c>).</summary>
    /// <exception cref="InvalidOperationException">The lock is not held.</exception>
    public void NotifyAll()
    {
        _waiters.CheckThread("AsyncCondition.NotifyAll");
        if (!_lock.IsLocked)
        {
            throw new InvalidOperationException("Cannot notify on an un-acquired lock: acquire the condition before NotifyAll.");
        }

        _waiters.WakeAll();
    }

    private void NotifyCore(int n)
    {
        for (int i = 0; i < n && _waiters.WakeOne(); i++)
        {
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"<AsyncCondition [{(_lock.IsLocked ? "locked" : "unlocked")}] waiters={_waiters.Count}>";
}
