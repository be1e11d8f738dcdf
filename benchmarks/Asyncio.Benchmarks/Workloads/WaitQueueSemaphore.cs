namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// A reference for <see cref="AsyncSemaphore"/>'s contended path, with the same FIFO permit hand-off: take a permit
/// at once only when one is free and nobody waits or is about to run with one; otherwise park in a
/// <see cref="WaitQueue"/>, and <see cref="Release"/> hands the permit to the first waiter (or returns it when nobody
/// waits). No cancellation handling. Loop thread only. It exists to measure what the contended acquire costs with and
/// without a nested coroutine frame (<see cref="AcquireNestedAsync"/> against waiting inline in the caller).
/// </summary>
/// <remarks>Invariant: <c>Value &gt; 0</c> only while nobody is parked (a release with a waiter hands the permit over).</remarks>
internal sealed class WaitQueueSemaphore(int permits)
{
    private readonly WaitQueue _waiters = new();
    private int _value = permits;

    /// <summary>Permits free now.</summary>
    public int CurrentCount => _value;

    /// <summary>Takes a permit now if one is free and nobody waits or is about to run with one; false: park with <see cref="Waiters"/>.</summary>
    public bool TryTake()
    {
        if (_value > 0 && _waiters.Count == 0 && _waiters.InFlight == 0)
        {
            _value--;
            return true;
        }

        return false;
    }

    /// <summary>The queue to wait in when <see cref="TryTake"/> fails; the wake-up carries the permit.</summary>
    public WaitQueue Waiters => _waiters;

    /// <summary>
    /// The shape of <see cref="AsyncSemaphore.AcquireAsync"/>: a ready result when a permit is free, else a nested
    /// coroutine that waits.
    /// </summary>
    public ValueCoroutine<bool> AcquireNestedAsync() => TryTake() ? new ValueCoroutine<bool>(true) : WaitSlowAsync();

    private async Coroutine<bool> WaitSlowAsync()
    {
        await _waiters.WaitAsync();
        return true;
    }

    /// <summary>Hands the permit to the first waiter, or returns it.</summary>
    public void Release()
    {
        if (!_waiters.WakeOne())
        {
            _value++;
        }
    }
}
