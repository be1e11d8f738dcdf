using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using System.Text.RegularExpressions;

namespace Asyncio.Tests;

/// <summary>
/// Helpers for the ports of CPython's <c>test_locks.py</c> and <c>test_queues.py</c>: run a coroutine body on a fresh
/// virtual-time FIFO loop (guarded against hangs), yield a number of iterations, and assert on exceptions thrown by
/// coroutines without leaving the loop (no plain .NET async code in between, so loop iterations are counted exactly).
/// </summary>
internal static partial class SyncTestKit
{
    /// <summary>
    /// <c>Aio.Run(body)</c> on a virtual-time FIFO loop (CPython's <c>IsolatedAsyncioTestCase</c>), on a thread of its
    /// own: if the loop hangs (a livelock that virtual time cannot detect), it is stopped from outside and the test fails.
    /// <paramref name="options"/> replaces the default <see cref="LoopRun.Virtual"/> options (an I/O backend, say).
    /// </summary>
    public static void RunAio(Func<Coroutine> body, LoopOptions? options = null, [CallerMemberName] string test = "")
    {
        EventLoop? loop = null;
        ExceptionDispatchInfo? error = null;
        var thread = new Thread(() =>
        {
            try
            {
                Aio.Run(
                    async () =>
                    {
                        Volatile.Write(ref loop, Aio.GetRunningLoop());
                        await body();
                    },
                    options ?? LoopRun.Virtual());
            }
            catch (Exception e)
            {
                error = ExceptionDispatchInfo.Capture(e);
            }
        })
        { IsBackground = true, Name = "loop of " + test };
        thread.Start();
        if (!thread.Join(LoopRun.HangTimeout))
        {
            for (int i = 0; i < 50 && thread.IsAlive; i++)
            {
                try
                {
                    Volatile.Read(ref loop)?.CallSoonThreadSafe(() => Volatile.Read(ref loop)!.Stop());
                }
                catch (InvalidOperationException)
                {
                }

                thread.Join(TimeSpan.FromMilliseconds(100));
            }

            Assert.Fail($"{test}: the loop did not finish within {LoopRun.HangTimeout.TotalSeconds} s (hang; stopped from outside).");
        }

        error?.Throw();
    }

    /// <summary><c>await asyncio.sleep(0)</c> <paramref name="times"/> times: each lets the loop run one iteration.</summary>
    public static async Coroutine Yield(int times = 1)
    {
        for (int i = 0; i < times; i++)
        {
            await Aio.Sleep(0);
        }
    }

    /// <summary>Awaits <paramref name="body"/> inside the current task and returns the exception of exactly type <typeparamref name="T"/> it throws.</summary>
    public static async Coroutine<T> ThrowsAsync<T>(Func<Coroutine> body)
        where T : Exception
    {
        Exception? caught = null;
        try
        {
            await body();
        }
        catch (Exception e)
        {
            caught = e;
        }

        Assert.True(caught is not null, $"expected {typeof(T).Name}, but nothing was thrown");
        Assert.True(caught.GetType() == typeof(T), $"expected exactly {typeof(T).Name}, got {caught}");
        return (T)caught;
    }

    /// <summary>Like <see cref="ThrowsAsync{T}"/> but accepts a derived type.</summary>
    public static async Coroutine<T> ThrowsAnyAsync<T>(Func<Coroutine> body)
        where T : Exception
    {
        Exception? caught = null;
        try
        {
            await body();
        }
        catch (Exception e)
        {
            caught = e;
        }

        Assert.True(caught is not null, $"expected {typeof(T).Name}, but nothing was thrown");
        Assert.True(caught is T, $"expected {typeof(T).Name} (or derived), got {caught}");
        return (T)caught;
    }

    /// <summary>The <c>waiters=N</c> count a primitive's <c>ToString</c> shows (CPython's <c>len(x._waiters)</c>, cancelled waiters excluded).</summary>
    public static int Waiters(object primitive) => Count(primitive, "waiters");

    /// <summary>A <c>name=N</c> count out of <paramref name="o"/>'s <c>ToString</c> (queues: getters, putters, size, unfinished).</summary>
    public static int Count(object o, string name)
    {
        string text = o.ToString()!;
        Match m = Regex.Match(text, $@"\b{name}=(\d+)");
        Assert.True(m.Success, $"'{name}=N' not found in {text}");
        return int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Operations per allocation measurement.</summary>
    public const int AllocationRounds = 1000;

    // Allocation tests measure inside ONE coroutine body, twice (the first round warms pools and the JIT), and never call
    // another async method inside the measured part: a Debug build makes every async state machine a class, so each
    // call of an async method (a lambda included) allocates ~72 B that says nothing about the library.
}
