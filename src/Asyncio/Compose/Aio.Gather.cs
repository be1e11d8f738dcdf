namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Runs the awaitables concurrently and returns their results in argument order (asyncio's <c>gather</c>).
    /// Coroutines are scheduled as tasks at once. The first child that fails (or is cancelled) makes the gather fail
    /// with its exception (or <see cref="CancelledError"/>) right away; the other children are not cancelled and keep
    /// running. Cancelling the gather (or the task awaiting it) cancels every unfinished child.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitables"/> or an element is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<T[]> Gather<T>(params IAioAwaitable<T>[] awaitables) => Gather((IEnumerable<IAioAwaitable<T>>)awaitables);

    /// <summary>Runs the awaitables concurrently and returns their results in order; see <see cref="Gather{T}(IAioAwaitable{T}[])"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitables"/> or an element is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<T[]> Gather<T>(IEnumerable<IAioAwaitable<T>> awaitables)
    {
        ArgumentNullException.ThrowIfNull(awaitables);
        return GatherCore(awaitables, returnExceptions: false, static c => ResultsOf<T>(c));
    }

    /// <summary>Runs the coroutines concurrently as tasks and returns their results in order; see <see cref="Gather{T}(IAioAwaitable{T}[])"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="coroutines"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<T[]> Gather<T>(IEnumerable<Coroutine<T>> coroutines)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        return Gather(coroutines.Select(static c => (IAioAwaitable<T>)c));
    }

    /// <summary>Waits for .NET tasks (wrapped with <see cref="WrapFuture{T}(Task{T})"/>) and returns their results in order.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or an element is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static GatheringFuture<T[]> Gather<T>(IEnumerable<Task<T>> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return Gather(tasks.Select(static t => (IAioAwaitable<T>)WrapFuture(t)).ToList());
    }

    /// <summary>
    /// Runs the awaitables concurrently; with <paramref name="returnExceptions"/> every child's outcome — a value, an
    /// exception, or a <see cref="CancelledError"/> — is returned in argument order instead of the first error being
    /// thrown (asyncio's <c>return_exceptions=True</c>). Cancelling the gather still ends it with <see cref="CancelledError"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitables"/> or an element is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<Outcome<T>[]> Gather<T>(IEnumerable<IAioAwaitable<T>> awaitables, bool returnExceptions)
    {
        ArgumentNullException.ThrowIfNull(awaitables);
        return GatherCore(awaitables, returnExceptions, static c => OutcomesOf(c, FutureResults.Get<T>));
    }

    /// <summary>Runs the coroutines concurrently and returns every outcome; see <see cref="Gather{T}(IEnumerable{IAioAwaitable{T}}, bool)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="coroutines"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<Outcome<T>[]> Gather<T>(IEnumerable<Coroutine<T>> coroutines, bool returnExceptions)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        return Gather(coroutines.Select(static c => (IAioAwaitable<T>)c), returnExceptions);
    }

    /// <summary>Waits for .NET tasks and returns every outcome; see <see cref="Gather{T}(IEnumerable{IAioAwaitable{T}}, bool)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="tasks"/> or an element is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static GatheringFuture<Outcome<T>[]> Gather<T>(IEnumerable<Task<T>> tasks, bool returnExceptions)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        return Gather(tasks.Select(static t => (IAioAwaitable<T>)WrapFuture(t)).ToList(), returnExceptions);
    }

    /// <summary>
    /// Runs awaitables of any result type (coroutines without a result among them) concurrently; the results come back
    /// as objects in argument order (null for a coroutine without a result). See <see cref="Gather{T}(IAioAwaitable{T}[])"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitables"/> or an element is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<object?[]> Gather(params IAioAwaitable[] awaitables) => Gather((IEnumerable<IAioAwaitable>)awaitables);

    /// <summary>Runs awaitables of any result type concurrently; see <see cref="Gather(IAioAwaitable[])"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitables"/> or an element is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<object?[]> Gather(IEnumerable<IAioAwaitable> awaitables)
    {
        ArgumentNullException.ThrowIfNull(awaitables);
        return GatherCore(awaitables, returnExceptions: false, static c => Array.ConvertAll(c, FutureResults.Boxed));
    }

    /// <summary>Runs coroutines without a result concurrently as tasks; see <see cref="Gather(IAioAwaitable[])"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="coroutines"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<object?[]> Gather(IEnumerable<Coroutine> coroutines)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        return Gather(coroutines.Select(static c => (IAioAwaitable)c));
    }

    /// <summary>Runs awaitables of any result type concurrently and returns every outcome; see <see cref="Gather{T}(IEnumerable{IAioAwaitable{T}}, bool)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitables"/> or an element is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<Outcome<object?>[]> Gather(IEnumerable<IAioAwaitable> awaitables, bool returnExceptions)
    {
        ArgumentNullException.ThrowIfNull(awaitables);
        return GatherCore(awaitables, returnExceptions, static c => OutcomesOf(c, FutureResults.Boxed));
    }

    /// <summary>Runs coroutines without a result concurrently and returns every outcome.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="coroutines"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<Outcome<object?>[]> Gather(IEnumerable<Coroutine> coroutines, bool returnExceptions)
    {
        ArgumentNullException.ThrowIfNull(coroutines);
        return Gather(coroutines.Select(static c => (IAioAwaitable)c), returnExceptions);
    }

    /// <summary>
    /// Runs 2 awaitables concurrently and returns their results as a tuple, in argument order (asyncio's
    /// <c>gather</c>); see <see cref="Gather{T}(IAioAwaitable{T}[])"/> for the failure and cancellation rules.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<(T1, T2)> Gather<T1, T2>(IAioAwaitable<T1> a1, IAioAwaitable<T2> a2) =>
        GatherCore([a1, a2], returnExceptions: false, static c => (FutureResults.Get<T1>(c[0]), FutureResults.Get<T2>(c[1])));

    /// <summary>
    /// Runs 3 awaitables concurrently and returns their results as a tuple, in argument order (asyncio's
    /// <c>gather</c>); see <see cref="Gather{T}(IAioAwaitable{T}[])"/> for the failure and cancellation rules.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<(T1, T2, T3)> Gather<T1, T2, T3>(IAioAwaitable<T1> a1, IAioAwaitable<T2> a2, IAioAwaitable<T3> a3) =>
        GatherCore([a1, a2, a3], returnExceptions: false, static c => (FutureResults.Get<T1>(c[0]), FutureResults.Get<T2>(c[1]), FutureResults.Get<T3>(c[2])));

    /// <summary>
    /// Runs 4 awaitables concurrently and returns their results as a tuple, in argument order (asyncio's
    /// <c>gather</c>); see <see cref="Gather{T}(IAioAwaitable{T}[])"/> for the failure and cancellation rules.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<(T1, T2, T3, T4)> Gather<T1, T2, T3, T4>(IAioAwaitable<T1> a1, IAioAwaitable<T2> a2, IAioAwaitable<T3> a3, IAioAwaitable<T4> a4) =>
        GatherCore([a1, a2, a3, a4], returnExceptions: false, static c => (FutureResults.Get<T1>(c[0]), FutureResults.Get<T2>(c[1]), FutureResults.Get<T3>(c[2]), FutureResults.Get<T4>(c[3])));

    /// <summary>
    /// Runs 5 awaitables concurrently and returns their results as a tuple, in argument order (asyncio's
    /// <c>gather</c>); see <see cref="Gather{T}(IAioAwaitable{T}[])"/> for the failure and cancellation rules.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<(T1, T2, T3, T4, T5)> Gather<T1, T2, T3, T4, T5>(IAioAwaitable<T1> a1, IAioAwaitable<T2> a2, IAioAwaitable<T3> a3, IAioAwaitable<T4> a4, IAioAwaitable<T5> a5) =>
        GatherCore([a1, a2, a3, a4, a5], returnExceptions: false, static c => (FutureResults.Get<T1>(c[0]), FutureResults.Get<T2>(c[1]), FutureResults.Get<T3>(c[2]), FutureResults.Get<T4>(c[3]), FutureResults.Get<T5>(c[4])));

    /// <summary>
    /// Runs 6 awaitables concurrently and returns their results as a tuple, in argument order (asyncio's
    /// <c>gather</c>); see <see cref="Gather{T}(IAioAwaitable{T}[])"/> for the failure and cancellation rules.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<(T1, T2, T3, T4, T5, T6)> Gather<T1, T2, T3, T4, T5, T6>(IAioAwaitable<T1> a1, IAioAwaitable<T2> a2, IAioAwaitable<T3> a3, IAioAwaitable<T4> a4, IAioAwaitable<T5> a5, IAioAwaitable<T6> a6) =>
        GatherCore([a1, a2, a3, a4, a5, a6], returnExceptions: false, static c => (FutureResults.Get<T1>(c[0]), FutureResults.Get<T2>(c[1]), FutureResults.Get<T3>(c[2]), FutureResults.Get<T4>(c[3]), FutureResults.Get<T5>(c[4]), FutureResults.Get<T6>(c[5])));

    /// <summary>
    /// Runs 7 awaitables concurrently and returns their results as a tuple, in argument order (asyncio's
    /// <c>gather</c>); see <see cref="Gather{T}(IAioAwaitable{T}[])"/> for the failure and cancellation rules.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static GatheringFuture<(T1, T2, T3, T4, T5, T6, T7)> Gather<T1, T2, T3, T4, T5, T6, T7>(IAioAwaitable<T1> a1, IAioAwaitable<T2> a2, IAioAwaitable<T3> a3, IAioAwaitable<T4> a4, IAioAwaitable<T5> a5, IAioAwaitable<T6> a6, IAioAwaitable<T7> a7) =>
        GatherCore([a1, a2, a3, a4, a5, a6, a7], returnExceptions: false, static c => (FutureResults.Get<T1>(c[0]), FutureResults.Get<T2>(c[1]), FutureResults.Get<T3>(c[2]), FutureResults.Get<T4>(c[3]), FutureResults.Get<T5>(c[4]), FutureResults.Get<T6>(c[5]), FutureResults.Get<T7>(c[6])));
    private static GatheringFuture<TResult> GatherCore<TResult>(IEnumerable<IAioAwaitable> awaitables, bool returnExceptions, Func<AioFuture[], TResult> combine)
    {
        EventLoop loop = RunningLoop(nameof(Gather));
        int capacity = awaitables.TryGetNonEnumeratedCount(out int n) ? n : 0;
        var children = new List<AioFuture>(capacity);
        var unique = new List<AioFuture>(capacity);
        var byArgument = new Dictionary<(object, int), AioFuture>(capacity);   // asyncio's arg_to_fut: an argument given twice runs once
        foreach (IAioAwaitable awaitable in awaitables)
        {
            ArgumentNullException.ThrowIfNull(awaitable, "Aio.Gather");
            (object, int) key = awaitable.IdentityKey;
            if (!byArgument.TryGetValue(key, out AioFuture? future))
            {
                future = FutureResults.Ensure(awaitable, loop, "Aio.Gather");
                byArgument.Add(key, future);
                unique.Add(future);
            }

            children.Add(future);
        }

        return new GatheringFuture<TResult>(loop, children.ToArray(), unique, returnExceptions, combine);
    }

    private static T[] ResultsOf<T>(AioFuture[] children)
    {
        var results = new T[children.Length];
        for (int i = 0; i < children.Length; i++)
        {
            results[i] = FutureResults.Get<T>(children[i]);
        }

        return results;
    }

    private static Outcome<T>[] OutcomesOf<T>(AioFuture[] children, Func<AioFuture, T> get)
    {
        var outcomes = new Outcome<T>[children.Length];
        for (int i = 0; i < children.Length; i++)
        {
            AioFuture c = children[i];
            outcomes[i] = c.IsCancelled ? new Outcome<T>(GatheringFuture<T>.CancelledOf(c))
                : c.IsFaulted ? new Outcome<T>((Exception)c._outcome!)
                : new Outcome<T>(get(c));
        }

        return outcomes;
    }
}
