namespace Asyncio.Tests.Tasks;

/// <summary>Shared helpers of the task, coroutine and cancellation tests.</summary>
internal static class Loops
{
    /// <summary>Virtual time and strict FIFO: deterministic whatever ASYNCIO_SEED says.</summary>
    public static LoopOptions Virtual(bool eager = false) =>
        new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo, EagerTasks = eager };

    /// <summary>Awaits <paramref name="body"/> and returns the exception it threw, which must be exactly <typeparamref name="TException"/>.</summary>
    public static async Coroutine<TException> ThrowsAsync<TException>(Func<Coroutine> body)
        where TException : Exception
    {
        try
        {
            await body();
        }
        catch (Exception e)
        {
            return Assert.IsType<TException>(e);
        }

        throw new Xunit.Sdk.XunitException($"Expected {typeof(TException).Name}, but nothing was thrown.");
    }

    /// <summary>Awaits <paramref name="task"/> and returns the exception it threw, which must be exactly <typeparamref name="TException"/>.</summary>
    public static async Coroutine<TException> ThrowsAsync<TException>(AioTask task)
        where TException : Exception
    {
        try
        {
            await task;
        }
        catch (Exception e)
        {
            return Assert.IsType<TException>(e);
        }

        throw new Xunit.Sdk.XunitException($"Expected {typeof(TException).Name} from {task}, but it succeeded.");
    }

    /// <summary>Waits until <paramref name="future"/> is done without observing its outcome (asyncio.wait([f])).</summary>
    public static async Coroutine WaitDone(AioFuture future)
    {
        if (future.IsDone)
        {
            return;
        }

        var done = new Future<bool>();
        future.AddDoneCallback(_ => done.TrySetResult(true));
        await done;
    }

    /// <summary>
    /// Runs <paramref name="body"/> (which runs a loop) on a background thread and fails if it has not finished within
    /// <paramref name="seconds"/>: for tests where a bug would make the loop wait forever in real time.
    /// </summary>
    public static void RunBounded(Action body, int seconds = 20)
    {
        Exception? error = null;
        var finished = new ManualResetEventSlim();   // not disposed: a hung thread may still set it later
        var thread = new Thread(() =>
        {
            try
            {
                body();
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                finished.Set();
            }
        }) { IsBackground = true, Name = "RunBounded loop" };
        thread.Start();
        if (!finished.Wait(TimeSpan.FromSeconds(seconds)))
        {
            throw new Xunit.Sdk.XunitException($"The loop did not finish within {seconds} s of real time: it hangs.");
        }

        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    /// <summary>A coroutine that does nothing (test_utils.run_briefly runs one like it as a task).</summary>
    public static async Coroutine Once()
    {
    }

    /// <summary>
    /// Runs <paramref name="loop"/> briefly, as CPython's test_utils.run_briefly: two iterations (the no-op task's
    /// step, then its done-callback that stops the loop), so everything ready now runs, and what it schedules too.
    /// </summary>
    public static void RunBriefly(EventLoop loop) => loop.RunUntilComplete(Once());
}
