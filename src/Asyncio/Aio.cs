using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// The asyncio API in one place: <c>Aio.Run</c> (asyncio.run), <c>Aio.CreateTask</c>, <c>Aio.Sleep</c>,
/// <c>Aio.ToThread</c>, <c>Aio.CurrentTask</c>, ... Everything here that needs a loop uses the one running on the
/// calling thread.
/// </summary>
public static partial class Aio
{
    // ------------------------------------------------------------------ Run

    /// <summary>
    /// Runs <paramref name="main"/> on a new event loop and returns its result (asyncio's <c>run</c>): creates the loop,
    /// runs the coroutine as the main task, then cancels the tasks still pending (reporting their non-cancellation
    /// errors), waits for <c>ToThread</c> work (bounded by <see cref="LoopOptions.ExecutorShutdownTimeout"/>) and closes
    /// the loop. Ctrl-C cancels the main task; see <see cref="KeyboardInterruptException"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called from a running event loop.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    [OverloadResolutionPriority(1)]
    public static T Run<T>(Func<Coroutine<T>> main, LoopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        CheckNoRunningLoop();
        return RunOnNewRunner(options, runner => runner.Run(main));
    }

    /// <summary>Runs <paramref name="main"/> on a new event loop; see <see cref="Run{T}(Func{Coroutine{T}}, LoopOptions?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called from a running event loop.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    [OverloadResolutionPriority(1)]
    public static void Run(Func<Coroutine> main, LoopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        CheckNoRunningLoop();
        RunOnNewRunner(options, runner =>
        {
            runner.Run(main);
            return true;
        });
    }

    /// <summary>Runs the coroutine <paramref name="main"/> on a new event loop; see <see cref="Run{T}(Func{Coroutine{T}}, LoopOptions?)"/>.</summary>
    /// <exception cref="InvalidOperationException">Called from a running event loop, or the coroutine was already used.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public static T Run<T>(Coroutine<T> main, LoopOptions? options = null)
    {
        CheckNoRunningLoop();
        return RunOnNewRunner(options, runner => runner.Run(main));
    }

    /// <summary>Runs the coroutine <paramref name="main"/> on a new event loop; see <see cref="Run{T}(Func{Coroutine{T}}, LoopOptions?)"/>.</summary>
    /// <exception cref="InvalidOperationException">Called from a running event loop, or the coroutine was already used.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public static void Run(Coroutine main, LoopOptions? options = null)
    {
        CheckNoRunningLoop();
        RunOnNewRunner(options, runner =>
        {
            runner.Run(main);
            return true;
        });
    }

    /// <summary>Runs a plain .NET async function as the main task of a new event loop and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called from a running event loop.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public static T Run<T>(Func<Task<T>> main, LoopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        CheckNoRunningLoop();
        return RunOnNewRunner(options, runner => runner.Run(main));
    }

    /// <summary>Runs a plain .NET async function as the main task of a new event loop.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">Called from a running event loop.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public static void Run(Func<Task> main, LoopOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(main);
        CheckNoRunningLoop();
        RunOnNewRunner(options, runner =>
        {
            runner.Run(main);
            return true;
        });
    }

    /// <summary>
    /// One run on a runner of its own, then closed. Under <see cref="LoopOptions.StrictExceptions"/> a close that found
    /// lost errors throws, unless the run itself failed: the main task's error wins.
    /// </summary>
    private static T RunOnNewRunner<T>(LoopOptions? options, Func<Runner, T> run)
    {
        var runner = new Runner(options);
        T result;
        try
        {
            result = run(runner);
        }
        catch
        {
            runner.CloseRunner(throwLostErrors: false);
            throw;
        }

        runner.Close();
        return result;
    }

    private static void CheckNoRunningLoop()
    {
        if (EventLoop.Current is not null)
        {
            throw new InvalidOperationException(
                "Aio.Run cannot be called from a running event loop. Inside a coroutine, await the work (or Aio.CreateTask it) instead.");
        }
    }

    // ------------------------------------------------------------------ tasks

    /// <summary>The loop running on this thread (asyncio's <c>get_running_loop()</c>).</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static EventLoop GetRunningLoop() => EventLoop.Current ?? throw ThrowHelper.NoRunningLoop("Aio.GetRunningLoop");

    /// <summary>
    /// Schedules <paramref name="coroutine"/> as a task on the running loop (asyncio's <c>create_task</c>). Keep a
    /// reference to the task and await it: its outcome is yours to retrieve.
    /// </summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or the coroutine was already used.</exception>
    public static AioTask<T> CreateTask<T>(Coroutine<T> coroutine, string? name = null) =>
        RunningLoop(nameof(CreateTask)).CreateTask(coroutine, name);

    /// <summary>Schedules <paramref name="coroutine"/> as a task on the running loop; see <see cref="CreateTask{T}(Coroutine{T}, string?)"/>.</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or the coroutine was already used.</exception>
    public static AioTask CreateTask(Coroutine coroutine, string? name = null) =>
        RunningLoop(nameof(CreateTask)).CreateTask(coroutine, name);

    /// <summary>Calls <paramref name="coroutineFunction"/> and schedules the coroutine it returns as a task.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="coroutineFunction"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    [OverloadResolutionPriority(1)]
    public static AioTask<T> CreateTask<T>(Func<Coroutine<T>> coroutineFunction, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(coroutineFunction);
        return RunningLoop(nameof(CreateTask)).CreateTask(coroutineFunction(), name);
    }

    /// <summary>Calls <paramref name="coroutineFunction"/> and schedules the coroutine it returns as a task.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="coroutineFunction"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    [OverloadResolutionPriority(1)]
    public static AioTask CreateTask(Func<Coroutine> coroutineFunction, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(coroutineFunction);
        return RunningLoop(nameof(CreateTask)).CreateTask(coroutineFunction(), name);
    }

    /// <summary>
    /// Runs a plain .NET async function as a task on the running loop. Its awaits resume on the loop; cancelling the
    /// task fires <see cref="AioTask.CancellationToken"/> (the awaits themselves cannot be interrupted).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static AioTask<T> CreateTask<T>(Func<Task<T>> function, string? name = null) =>
        RunningLoop(nameof(CreateTask)).CreateTask(function, name);

    /// <summary>Runs a plain .NET async function without a result as a task on the running loop.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static AioTask CreateTask(Func<Task> function, string? name = null) =>
        RunningLoop(nameof(CreateTask)).CreateTask(function, name);

    /// <summary>The task whose step is running, or null in a plain callback (asyncio's <c>current_task()</c>).</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static AioTask? CurrentTask => RunningLoop(nameof(CurrentTask))._currentTask;

    /// <summary>The running loop's tasks that are not done (asyncio's <c>all_tasks()</c>).</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static IReadOnlyList<AioTask> AllTasks() => RunningLoop(nameof(AllTasks)).AllTasks();

    /// <summary>
    /// Who awaits whom, from <paramref name="future"/> (the current task when null) outwards: its coroutine chain and
    /// the graphs of everything awaiting it (Python 3.14's <c>asyncio.capture_call_graph</c>). Print it with
    /// <see cref="FutureCallGraph.ToString"/>.
    /// </summary>
    /// <param name="future">The future or task to start from; null for the current task.</param>
    /// <param name="limit">At most this many coroutine frames per task; null for all.</param>
    /// <returns>The graph, or null when <paramref name="future"/> is null and no task is running.</returns>
    /// <exception cref="InvalidOperationException">No loop runs on this thread, or <paramref name="future"/> belongs to another loop.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public static FutureCallGraph? CaptureCallGraph(AioFuture? future = null, int? limit = null)
    {
        EventLoop loop = RunningLoop(nameof(CaptureCallGraph));
        if (limit is int l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(limit));
        }

        future ??= loop._currentTask;
        if (future is null)
        {
            return null;
        }

        if (!ReferenceEquals(future._loop, loop))
        {
            throw new InvalidOperationException($"Aio.CaptureCallGraph: {future.Describe()} belongs to another event loop than the running one.");
        }

        return AwaitGraph.Capture(future, limit);
    }

    internal static EventLoop RunningLoop(string member) => EventLoop.Current ?? throw ThrowHelper.NoRunningLoop("Aio." + member);

    // ------------------------------------------------------------------ sleep

    /// <summary>
    /// Suspends the current task for <paramref name="seconds"/> seconds of loop time (asyncio's <c>sleep</c>). Zero
    /// yields exactly once: the task resumes after the callbacks already queued. Negative counts as zero;
    /// <see cref="double.PositiveInfinity"/> sleeps until cancelled.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is NaN.</exception>
    public static SleepAwaitable Sleep(double seconds)
    {
        if (double.IsNaN(seconds))
        {
            throw new ArgumentOutOfRangeException(nameof(seconds), "Aio.Sleep got NaN seconds; give a number (0 yields once, +infinity sleeps until cancelled).");
        }

        return new SleepAwaitable(seconds <= 0 ? 0 : seconds);
    }

    /// <summary>
    /// Suspends the current task for <paramref name="delay"/>; see <see cref="Sleep(double)"/>.
    /// <see cref="System.Threading.Timeout.InfiniteTimeSpan"/> sleeps until cancelled.
    /// </summary>
    public static SleepAwaitable Sleep(TimeSpan delay) =>
        new(delay == System.Threading.Timeout.InfiniteTimeSpan ? double.PositiveInfinity : delay <= TimeSpan.Zero ? 0 : delay.TotalSeconds);

    /// <summary>Sleeps, then returns <paramref name="result"/> (asyncio's <c>sleep(delay, result)</c>).</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="seconds"/> is NaN.</exception>
    public static Coroutine<T> Sleep<T>(double seconds, T result)
    {
        SleepAwaitable sleep = Sleep(seconds);
        return SleepThenReturn(sleep, result);
    }

    private static async Coroutine<T> SleepThenReturn<T>(SleepAwaitable sleep, T result)
    {
        await sleep;
        return result;
    }

    // ------------------------------------------------------------------ threads

    /// <summary>
    /// Runs <paramref name="function"/> on the thread pool with a copy of the caller's execution context (asyncio's
    /// <c>to_thread</c>) and returns a future for its result. Await it: the result, the exception, or the cancellation
    /// comes back to the awaiting task. Cancelling before the work starts keeps it from running.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or its executor was shut down.</exception>
    public static Future<T> ToThread<T>(Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return RunningLoop(nameof(ToThread)).StartExecutorWork(null, _ => function(), EventLoop.DescribeDelegate(function), flowContext: true);
    }

    /// <summary>
    /// Runs <paramref name="function"/> on the thread pool, passing a token that fires when the returned future is
    /// cancelled (for example because the awaiting task was); see <see cref="ToThread{T}(Func{T})"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or its executor was shut down.</exception>
    public static Future<T> ToThread<T>(Func<CancellationToken, T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return RunningLoop(nameof(ToThread)).StartExecutorWork(null, function, EventLoop.DescribeDelegate(function), flowContext: true);
    }

    /// <summary>Runs <paramref name="action"/> on the thread pool; await the returned future for its completion.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="action"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or its executor was shut down.</exception>
    public static Future<bool> ToThread(Action action)
    {
        ArgumentNullException.ThrowIfNull(action);
        return RunningLoop(nameof(ToThread)).StartExecutorWork(null, _ =>
        {
            action();
            return true;
        }, EventLoop.DescribeDelegate(action), flowContext: true);
    }

    /// <summary>
    /// Schedules <paramref name="coroutine"/> on <paramref name="loop"/> from another thread (asyncio's
    /// <c>run_coroutine_threadsafe</c>) and returns a <see cref="Task{TResult}"/> that other threads can wait on.
    /// Cancelling <paramref name="cancellationToken"/> cancels the loop task.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The coroutine was already used, or the loop is closed.</exception>
    public static Task<T> RunCoroutineThreadSafe<T>(Coroutine<T> coroutine, EventLoop loop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loop);
        CoroutineFrame<T> frame = coroutine.Claim("run (thread-safe) ");
        return ThreadSafeRunner<T>.Start(loop, frame, cancellationToken);
    }

    /// <summary>Schedules <paramref name="coroutine"/> on <paramref name="loop"/> from another thread; see <see cref="RunCoroutineThreadSafe{T}(Coroutine{T}, EventLoop, CancellationToken)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The coroutine was already used, or the loop is closed.</exception>
    public static Task RunCoroutineThreadSafe(Coroutine coroutine, EventLoop loop, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(loop);
        CoroutineFrame<VoidResult> frame = coroutine.Claim("run (thread-safe) ");
        return ThreadSafeRunner<VoidResult>.Start(loop, frame, cancellationToken);
    }

    /// <summary>
    /// Makes a foreign <see cref="Task{TResult}"/> a loop-native future (asyncio's <c>wrap_future</c>). Unlike a direct
    /// <c>await task</c>, awaiting the future can be interrupted: cancelling the awaiting task releases it at once with
    /// <see cref="CancelledError"/>, leaving the foreign work running. A task that ends canceled (an
    /// <see cref="OperationCanceledException"/>, such as an <c>HttpClient</c> timeout) fails the future with that
    /// exception; it does not cancel it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static Future<T> WrapFuture<T>(Task<T> task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ForeignFuture<T>.Wrap(RunningLoop(nameof(WrapFuture)), task, static t => ((Task<T>)t).GetAwaiter().GetResult());
    }

    /// <summary>Makes a foreign <see cref="Task"/> a loop-native future; see <see cref="WrapFuture{T}(Task{T})"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static Future<bool> WrapFuture(Task task)
    {
        ArgumentNullException.ThrowIfNull(task);
        return ForeignFuture<bool>.Wrap(RunningLoop(nameof(WrapFuture)), task, static t =>
        {
            t.GetAwaiter().GetResult();
            return true;
        });
    }
}
