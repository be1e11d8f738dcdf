using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Compose;

/// <summary>
/// Helpers for the ports of CPython's combinator tests (<c>test_tasks.py</c> gather/wait/as_completed/shield,
/// <c>test_waitfor.py</c>, <c>test_timeouts.py</c>, <c>test_taskgroups.py</c>): a fresh virtual-time FIFO loop per
/// test, run on a guarded thread (a hang fails the test instead of the run), with every call of the exception handler
/// recorded — including the "exception was never retrieved" reports made when the loop closes.
/// </summary>
internal static class Kit
{
    public static LoopOptions Options(bool eager = false) =>
        new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo, EagerTasks = eager };

    /// <summary>
    /// Creates a loop, hands it to <paramref name="body"/> (which runs it, e.g. with RunUntilComplete or RunBriefly),
    /// closes it and returns what the exception handler received. Exceptions of the body are rethrown.
    /// </summary>
    public static List<LoopExceptionContext> WithLoop(Action<EventLoop> body, bool eager = false)
    {
        var loop = new EventLoop(Options(eager));
        var reports = new List<LoopExceptionContext>();
        loop.SetExceptionHandler((_, ctx) => reports.Add(ctx));
        try
        {
            WithHangGuard(loop, "the test body", () => body(loop));
        }
        finally
        {
            if (!loop.IsRunning)
            {
                loop.Close();
            }
        }

        return reports;
    }

    /// <summary>Runs <paramref name="main"/> as the main task of a fresh loop; returns the exception handler's reports.</summary>
    public static List<LoopExceptionContext> Run(Func<EventLoop, Coroutine> main, bool eager = false) =>
        WithLoop(loop => loop.RunUntilComplete(main(loop)), eager);

    /// <summary>Runs <paramref name="main"/> as the main task of a fresh loop and returns its result.</summary>
    public static T Run<T>(Func<EventLoop, Coroutine<T>> main, bool eager = false)
    {
        T result = default!;
        WithLoop(loop => result = loop.RunUntilComplete(main(loop)), eager);
        return result;
    }

    /// <summary>Calls <paramref name="make"/> inside a task of <paramref name="loop"/> (for APIs that need a running loop).</summary>
    public static T InLoop<T>(EventLoop loop, Func<T> make)
    {
        return loop.RunUntilComplete(Make());

        async Coroutine<T> Make() => make();
    }

    /// <summary>Runs the loop until nothing is ready any more (CPython's <c>while loop._ready: run_briefly(loop)</c>).</summary>
    public static void RunReady(EventLoop loop)
    {
        for (int i = 0; i < 10; i++)
        {
            RunBriefly(loop);
        }
    }

    /// <summary>asyncio.sleep(d) as a coroutine (so that it can become a task).</summary>
    public static async Coroutine Sleep(double seconds) => await Aio.Sleep(seconds);

    /// <summary>asyncio.sleep(d, result) as a coroutine.</summary>
    public static Coroutine<T> Sleep<T>(double seconds, T result) => Aio.Sleep(seconds, result);

    /// <summary>A coroutine that returns what <paramref name="future"/> gives (CPython's <c>async def coro(fut): return await fut</c>).</summary>
    public static async Coroutine<T> Await<T>(Future<T> future) => await future;

    /// <summary>A coroutine that awaits a gather and returns its result.</summary>
    public static async Coroutine<T> Result<T>(GatheringFuture<T> gather) => await gather;

    /// <summary>A coroutine that returns <paramref name="value"/> without suspending.</summary>
    public static async Coroutine<T> Return<T>(T value) => value;

    /// <summary>
    /// Runs <paramref name="body"/> inside the current task (not through a foreign .NET Task, so that cancellation
    /// reaches its loop-native awaits) and returns the exception it throws, which must be exactly a
    /// <typeparamref name="TEx"/> (CPython's <c>with self.assertRaises(...)</c> inside a coroutine).
    /// </summary>
    public static async Coroutine<TEx> Raises<TEx>(Func<Coroutine> body)
        where TEx : Exception
    {
        try
        {
            await body();
        }
        catch (Exception e)
        {
            return Assert.IsType<TEx>(e);
        }

        throw new Xunit.Sdk.XunitException($"Expected {typeof(TEx).Name}, but nothing was thrown.");
    }

    /// <summary>Asserts that <paramref name="actual"/> holds exactly <paramref name="expected"/> (by reference).</summary>
    public static void SameSet<T>(IReadOnlySet<T> actual, params T[] expected)
        where T : class
    {
        Assert.Equal(expected.Length, actual.Count);
        foreach (T e in expected)
        {
            Assert.True(actual.Contains(e), $"{e} is missing from the set");
        }
    }

    /// <summary>The "never retrieved" reports among <paramref name="reports"/>.</summary>
    public static List<LoopExceptionContext> NeverRetrieved(IEnumerable<LoopExceptionContext> reports) =>
        reports.Where(r => r.Message.Contains("never retrieved", StringComparison.Ordinal)).ToList();

    /// <summary>Walks the InnerException chain (Python's __context__ chain, as .NET wraps).</summary>
    public static IEnumerable<Exception> Chain(Exception e)
    {
        for (Exception? x = e; x is not null; x = x.InnerException)
        {
            yield return x;
        }
    }
}

/// <summary>A test exception (CPython tests' <c>MyExc</c>).</summary>
internal sealed class MyExc : Exception
{
    public MyExc()
        : base("MyExc")
    {
    }

    public MyExc(string message)
        : base(message)
    {
    }
}
