namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Runs <paramref name="body"/> inside the current task with a deadline <paramref name="delay"/> seconds from now
    /// (asyncio's <c>async with timeout(delay)</c>; null: none). When the deadline passes the task is cancelled; the
    /// block's resulting <see cref="CancelledError"/> becomes a <see cref="TimeoutException"/>. The scope can be queried
    /// and moved (<see cref="TimeoutScope.Reschedule"/>). A lambda rather than <c>await using</c>, because a disposable
    /// cannot see the block's exception.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is NaN.</exception>
    /// <exception cref="TimeoutException">The deadline passed and the block ended cancelled.</exception>
    /// <exception cref="InvalidOperationException">Not awaited inside a task.</exception>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static Coroutine Timeout(double? delay, Func<TimeoutScope, Coroutine> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunTimeoutAsync(DelayDeadline(delay), body);
    }

    /// <summary>Runs <paramref name="body"/> with a deadline and returns its result; see <see cref="Timeout(double?, Func{TimeoutScope, Coroutine})"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delay"/> is NaN.</exception>
    /// <exception cref="TimeoutException">The deadline passed and the block ended cancelled.</exception>
    /// <exception cref="InvalidOperationException">Not awaited inside a task.</exception>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static Coroutine<T> Timeout<T>(double? delay, Func<TimeoutScope, Coroutine<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        return RunTimeoutAsync(DelayDeadline(delay), body);
    }

    /// <summary>Runs <paramref name="body"/> with a deadline <paramref name="delay"/> from now (null or infinite: none).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="TimeoutException">The deadline passed and the block ended cancelled.</exception>
    public static Coroutine Timeout(TimeSpan? delay, Func<TimeoutScope, Coroutine> body) => Timeout(Seconds(delay), body);

    /// <summary>Runs <paramref name="body"/> with a deadline <paramref name="delay"/> from now and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="TimeoutException">The deadline passed and the block ended cancelled.</exception>
    public static Coroutine<T> Timeout<T>(TimeSpan? delay, Func<TimeoutScope, Coroutine<T>> body) => Timeout(Seconds(delay), body);

    /// <summary>
    /// Runs <paramref name="body"/> with a deadline at loop time <paramref name="when"/> (asyncio's <c>timeout_at</c>;
    /// null: none); see <see cref="Timeout(double?, Func{TimeoutScope, Coroutine})"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="when"/> is NaN.</exception>
    /// <exception cref="TimeoutException">The deadline passed and the block ended cancelled.</exception>
    public static Coroutine TimeoutAt(double? when, Func<TimeoutScope, Coroutine> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        CheckNotNaN(when, nameof(when));
        return RunTimeoutAsync(when, body);
    }

    /// <summary>Runs <paramref name="body"/> with a deadline at loop time <paramref name="when"/> and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="when"/> is NaN.</exception>
    /// <exception cref="TimeoutException">The deadline passed and the block ended cancelled.</exception>
    public static Coroutine<T> TimeoutAt<T>(double? when, Func<TimeoutScope, Coroutine<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        CheckNotNaN(when, nameof(when));
        return RunTimeoutAsync(when, body);
    }

    private static async Coroutine RunTimeoutAsync(Func<double?> deadline, Func<TimeoutScope, Coroutine> body)
    {
        TimeoutScope scope = TimeoutScope.Enter(deadline());
        try
        {
            await body(scope);
        }
        catch (Exception e) when (scope.Exit(e))
        {
            throw scope.TimedOut(e);
        }

        scope.Exit(null);
    }

    private static async Coroutine<T> RunTimeoutAsync<T>(Func<double?> deadline, Func<TimeoutScope, Coroutine<T>> body)
    {
        TimeoutScope scope = TimeoutScope.Enter(deadline());
        T result;
        try
        {
            result = await body(scope);
        }
        catch (Exception e) when (scope.Exit(e))
        {
            throw scope.TimedOut(e);
        }

        scope.Exit(null);
        return result;
    }

    private static Coroutine RunTimeoutAsync(double? when, Func<TimeoutScope, Coroutine> body) => RunTimeoutAsync(() => when, body);

    private static Coroutine<T> RunTimeoutAsync<T>(double? when, Func<TimeoutScope, Coroutine<T>> body) => RunTimeoutAsync(() => when, body);

    /// <summary>The deadline of a delay, computed when the block starts (the coroutine may be awaited later).</summary>
    private static Func<double?> DelayDeadline(double? delay)
    {
        CheckNotNaN(delay, nameof(delay));
        if (delay is not double d || double.IsPositiveInfinity(d))
        {
            return static () => null;
        }

        return () => RunningLoop(nameof(Timeout)).Time() + d;
    }

    private static double? Seconds(TimeSpan? delay) =>
        delay is not TimeSpan d || d == System.Threading.Timeout.InfiniteTimeSpan ? null : d.TotalSeconds;

    private static void CheckNotNaN(double? value, string name)
    {
        if (value is double v && double.IsNaN(v))
        {
            throw new ArgumentOutOfRangeException(name, "The value is NaN; give a number of seconds (or null for no deadline).");
        }
    }
}
