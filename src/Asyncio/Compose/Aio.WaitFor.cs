namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Runs <paramref name="coroutine"/> inside the current task with a time limit (asyncio's <c>wait_for</c>). On
    /// timeout the coroutine is cancelled, and once it has really finished a <see cref="TimeoutException"/> is thrown;
    /// if it swallows the cancellation and returns a value, that value is returned. A timeout of zero or less never
    /// starts it. Null: no limit.
    /// </summary>
    /// <exception cref="TimeoutException">The time limit passed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is NaN.</exception>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static Coroutine<T> WaitFor<T>(Coroutine<T> coroutine, double? timeout)
    {
        CheckNotNaN(timeout, nameof(timeout));
        return timeout is <= 0 ? WaitForNowAsync<T>(coroutine) : Timeout(timeout, async _ => await coroutine);
    }

    /// <summary>Runs <paramref name="coroutine"/> with a time limit; see <see cref="WaitFor{T}(Coroutine{T}, double?)"/>.</summary>
    /// <exception cref="TimeoutException">The time limit passed.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is NaN.</exception>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static Coroutine WaitFor(Coroutine coroutine, double? timeout)
    {
        CheckNotNaN(timeout, nameof(timeout));
        return timeout is <= 0 ? WaitForNowAsync(coroutine) : Timeout(timeout, async _ => await coroutine);
    }

    /// <summary>
    /// Waits for a task or future with a time limit; on timeout it is cancelled and awaited until it has finished,
    /// then <see cref="TimeoutException"/> is thrown. See <see cref="WaitFor{T}(Coroutine{T}, double?)"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitable"/> is null.</exception>
    /// <exception cref="TimeoutException">The time limit passed.</exception>
    public static Coroutine<T> WaitFor<T>(IAioAwaitable<T> awaitable, double? timeout)
    {
        ArgumentNullException.ThrowIfNull(awaitable);
        CheckNotNaN(timeout, nameof(timeout));
        if (awaitable is Coroutine<T> coroutine)
        {
            return WaitFor(coroutine, timeout);
        }

        return timeout is <= 0 ? WaitForNowAsync<T>(awaitable) : Timeout(timeout, async _ => await AwaitFuture<T>(awaitable));
    }

    /// <summary>
    /// Waits for a task or future without a result (an <see cref="AioTask"/>, a shield, ...) with a time limit; on
    /// timeout it is cancelled and awaited until it has finished, then <see cref="TimeoutException"/> is thrown. See
    /// <see cref="WaitFor{T}(Coroutine{T}, double?)"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitable"/> is null.</exception>
    /// <exception cref="TimeoutException">The time limit passed.</exception>
    public static Coroutine WaitFor(IAioAwaitable awaitable, double? timeout)
    {
        ArgumentNullException.ThrowIfNull(awaitable);
        CheckNotNaN(timeout, nameof(timeout));
        if (awaitable is Coroutine coroutine)
        {
            return WaitFor(coroutine, timeout);
        }

        return timeout is <= 0 ? WaitForNowAsync(awaitable) : Timeout(timeout, async _ => await AwaitFuture(awaitable));
    }

    /// <summary>
    /// Waits for a foreign .NET task with a time limit. C# cannot cancel a foreign task: on timeout its wrapper is
    /// released and <see cref="TimeoutException"/> thrown while the task itself keeps running (pass it a token).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="TimeoutException">The time limit passed.</exception>
    public static Coroutine<T> WaitFor<T>(Task<T> task, double? timeout)
    {
        ArgumentNullException.ThrowIfNull(task);
        return WaitFor<T>(WrapFuture(task), timeout);
    }

    /// <summary>Runs <paramref name="coroutine"/> with a time limit given as a <see cref="TimeSpan"/> (null or infinite: none).</summary>
    /// <exception cref="TimeoutException">The time limit passed.</exception>
    public static Coroutine<T> WaitFor<T>(Coroutine<T> coroutine, TimeSpan? timeout) => WaitFor(coroutine, Seconds(timeout));

    /// <summary>Runs <paramref name="coroutine"/> with a time limit given as a <see cref="TimeSpan"/> (null or infinite: none).</summary>
    /// <exception cref="TimeoutException">The time limit passed.</exception>
    public static Coroutine WaitFor(Coroutine coroutine, TimeSpan? timeout) => WaitFor(coroutine, Seconds(timeout));

    private static async Coroutine<T> AwaitFuture<T>(IAioAwaitable<T> awaitable)
    {
        AioFuture future = FutureResults.Ensure(awaitable, RunningLoop(nameof(WaitFor)), "Aio.WaitFor");
        await future;
        return FutureResults.Get<T>(future);
    }

    private static async Coroutine AwaitFuture(IAioAwaitable awaitable)
    {
        AioFuture future = FutureResults.Ensure(awaitable, RunningLoop(nameof(WaitFor)), "Aio.WaitFor");
        await future;
    }

    /// <summary>Timeout zero: a finished future's result, else cancel it, wait for it, and time out.</summary>
    private static async Coroutine<T> WaitForNowAsync<T>(IAioAwaitable<T> awaitable)
    {
        AioFuture future = FutureResults.Ensure(awaitable, RunningLoop(nameof(WaitFor)), "Aio.WaitFor");
        if (!future.IsDone)
        {
            await CancelAndWaitAsync(future);
        }

        try
        {
            future.ThrowIfNotSucceeded();
        }
        catch (CancelledError e)
        {
            throw new TimeoutException("Timed out: Aio.WaitFor was given a timeout of zero or less and the work was not done.", e);
        }

        return FutureResults.Get<T>(future);
    }

    private static async Coroutine WaitForNowAsync(IAioAwaitable awaitable)
    {
        AioFuture future = FutureResults.Ensure(awaitable, RunningLoop(nameof(WaitFor)), "Aio.WaitFor");
        if (!future.IsDone)
        {
            await CancelAndWaitAsync(future);
        }

        try
        {
            future.ThrowIfNotSucceeded();
        }
        catch (CancelledError e)
        {
            throw new TimeoutException("Timed out: Aio.WaitFor was given a timeout of zero or less and the work was not done.", e);
        }
    }

    /// <summary>
    /// Cancels <paramref name="future"/> and waits until it is done, through a waiter of its own so that this wait stays
    /// cancellable (asyncio's <c>_cancel_and_wait</c>).
    /// </summary>
    internal static async Coroutine CancelAndWaitAsync(AioFuture future)
    {
        EventLoop loop = future.Loop;
        var waiter = loop.CreateFuture<bool>();
        future.AddInternalCallback(s_releaseWaiter, waiter);
        try
        {
            future.Cancel();
            await waiter;
        }
        finally
        {
            future.RemoveInternalCallback(s_releaseWaiter, waiter);
        }
    }

    private static readonly Action<object?> s_releaseWaiter = static s => ((Future<bool>)s!).TrySetResult(true);
}
