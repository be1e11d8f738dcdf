namespace Asyncio;

/// <summary>When <see cref="Aio.Wait{TFuture}(IEnumerable{TFuture}, double?, ReturnWhen)"/> returns.</summary>
public enum ReturnWhen
{
    /// <summary>When every future is done (asyncio's <c>ALL_COMPLETED</c>).</summary>
    AllCompleted,

    /// <summary>When any future is done (asyncio's <c>FIRST_COMPLETED</c>).</summary>
    FirstCompleted,

    /// <summary>When any future fails with an exception, else when all are done (asyncio's <c>FIRST_EXCEPTION</c>).</summary>
    FirstException,
}

public static partial class Aio
{
    /// <summary>
    /// Waits for the futures or tasks until <paramref name="returnWhen"/> or <paramref name="timeout"/> seconds
    /// (asyncio's <c>wait</c>) and returns them split into done and pending. It never cancels anything and never
    /// throws on timeout: unfinished ones come back in <c>Pending</c>. Cancelling the caller cancels only the wait.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or an element is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="futures"/> is empty, or <paramref name="returnWhen"/> is not a defined value.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is NaN.</exception>
    [System.Runtime.CompilerServices.OverloadResolutionPriority(1)]
    public static Coroutine<(IReadOnlySet<TFuture> Done, IReadOnlySet<TFuture> Pending)> Wait<TFuture>(
        IEnumerable<TFuture> futures, double? timeout = null, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
        where TFuture : AioFuture
    {
        ArgumentNullException.ThrowIfNull(futures);
        CheckNotNaN(timeout, nameof(timeout));
        if (!Enum.IsDefined(returnWhen))
        {
            throw new ArgumentException($"Invalid ReturnWhen value: {returnWhen}.", nameof(returnWhen));
        }

        var set = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        foreach (TFuture f in futures)
        {
            set.Add(f ?? throw new ArgumentNullException(nameof(futures), "The set of futures contains null."));
        }

        if (set.Count == 0)
        {
            throw new ArgumentException("The set of tasks/futures is empty: Aio.Wait needs at least one.", nameof(futures));
        }

        return WaitCoreAsync(set, timeout, returnWhen);
    }

    /// <summary>Waits for the futures or tasks; <paramref name="timeout"/> as a <see cref="TimeSpan"/> (null or infinite: none).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="futures"/> or an element is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="futures"/> is empty, or <paramref name="returnWhen"/> is not a defined value.</exception>
    public static Coroutine<(IReadOnlySet<TFuture> Done, IReadOnlySet<TFuture> Pending)> Wait<TFuture>(
        IEnumerable<TFuture> futures, TimeSpan? timeout, ReturnWhen returnWhen = ReturnWhen.AllCompleted)
        where TFuture : AioFuture => Wait(futures, Seconds(timeout), returnWhen);

    private static async Coroutine<(IReadOnlySet<TFuture> Done, IReadOnlySet<TFuture> Pending)> WaitCoreAsync<TFuture>(
        HashSet<TFuture> futures, double? timeout, ReturnWhen returnWhen)
        where TFuture : AioFuture
    {
        EventLoop loop = RunningLoop(nameof(Wait));
        foreach (TFuture f in futures)
        {
            if (!ReferenceEquals(f._loop, loop))
            {
                throw new InvalidOperationException($"Aio.Wait: {f.Describe()} belongs to another event loop than the running one.");
            }
        }

        var waiter = loop.CreateFuture<bool>();
        var state = new WaitState(waiter, futures.Count, returnWhen);
        TimerHandle? timer = timeout is double t && !double.IsPositiveInfinity(t)
            ? loop.CallLater(t, static s => ((Future<bool>)s!).TrySetResult(false), waiter)
            : null;
        var links = new List<WaitLink>(futures.Count);
        foreach (TFuture f in futures)
        {
            var link = new WaitLink(state, f);
            links.Add(link);
            f.AddInternalCallback(WaitState.OnCompletion, link);
        }

        try
        {
            await waiter;
        }
        finally
        {
            timer?.Cancel();
            state.Detached = true;
            foreach (WaitLink link in links)
            {
                link.Future.RemoveInternalCallback(WaitState.OnCompletion, link);   // don't pile up on long-lived futures
            }
        }

        var done = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        var pending = new HashSet<TFuture>(ReferenceEqualityComparer.Instance);
        foreach (TFuture f in futures)
        {
            (f.IsDone ? done : pending).Add(f);
        }

        return (done, pending);
    }

    private sealed record WaitLink(WaitState State, AioFuture Future) : IAwaiterLink
    {
        public AioFuture? AwaiterOf(AioFuture awaited) => ReferenceEquals(awaited, Future) ? State.Waiter : null;
    }

    private sealed class WaitState(Future<bool> waiter, int count, ReturnWhen returnWhen)
    {
        private int _remaining = count;

        /// <summary>The future the waiting task is suspended on.</summary>
        public Future<bool> Waiter => waiter;

        public bool Detached;

        public static readonly Action<object?> OnCompletion = static s =>
        {
            var (state, f) = (WaitLink)s!;
            state.Completed(f);
        };

        private void Completed(AioFuture f)
        {
            if (Detached)
            {
                return;
            }

            _remaining--;
            bool failed = false;
            if (returnWhen == ReturnWhen.FirstException && f.IsFaulted)
            {
                f._flags |= FutureFlags.Retrieved;
                failed = true;
            }

            if (_remaining <= 0 || returnWhen == ReturnWhen.FirstCompleted || failed)
            {
                waiter.TrySetResult(true);
            }
        }
    }
}
