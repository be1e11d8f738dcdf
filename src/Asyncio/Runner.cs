using System.Runtime.InteropServices;

namespace Asyncio;

/// <summary>
/// Runs several coroutines on one loop in turn (asyncio's <c>Runner</c>). The loop is created on first use and closed
/// by <see cref="Close"/>; AsyncLocal values set by one run are seen by the next, as asyncio's shared context.
/// <see cref="Aio.Run{T}(Func{Coroutine{T}}, LoopOptions?)"/> is a Runner used once.
/// </summary>
/// <remarks>
/// Ctrl-C: while a run is in progress the first SIGINT cancels the main task; if it then ends cancelled,
/// <c>Run</c> throws <see cref="KeyboardInterruptException"/>. A second SIGINT ends the process with exit code 130.
/// Only one run in the process handles SIGINT at a time (test runners start loops in parallel); the others leave it alone.
/// </remarks>
public sealed class Runner : IDisposable
{
    private static Runner? s_sigintOwner;

    private readonly LoopOptions _options;
    private EventLoop? _loop;
    private ExecutionContext? _context;
    private bool _closed;
    private int _interrupts;
    private AioTask? _mainTask;

    private readonly bool _handleSigint = true;

    /// <summary>Creates a runner; the loop is made on first use with <paramref name="options"/>.</summary>
    public Runner(LoopOptions? options = null) => _options = options ?? new LoopOptions();

    /// <summary>A runner that leaves Ctrl-C to its owner (a <see cref="Aio.RunParallel(int, Func{int, Coroutine}, Func{int, LoopOptions}?)"/> group).</summary>
    internal Runner(LoopOptions? options, bool handleSigint)
        : this(options) => _handleSigint = handleSigint;

    /// <summary>Any thread: what the first Ctrl-C does, done by a group for each of its runners.</summary>
    internal void Interrupt()
    {
        Interlocked.Increment(ref _interrupts);
        EventLoop? loop = _loop;
        AioTask? main = _mainTask;
        if (loop is not null && main is not null)
        {
            loop.TryPost(static s =>
            {
                var t = (AioTask)s!;
                if (!t.IsDone)
                {
                    t.Cancel();
                }
            }, main);
        }
    }

    /// <summary>The runner's loop, created on first use (asyncio's <c>Runner.get_loop()</c>).</summary>
    /// <exception cref="InvalidOperationException">The runner is closed.</exception>
    public EventLoop Loop
    {
        get
        {
            CheckOpen();
            return _loop ??= new EventLoop(_options);
        }
    }

    /// <summary>Runs <paramref name="coroutine"/> as the main task until it is done and returns its result.</summary>
    /// <exception cref="InvalidOperationException">The runner is closed, or a loop is running on this thread.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public T Run<T>(Coroutine<T> coroutine)
    {
        CheckCanRun();
        AioTask<T> task = InContext(() => Loop.CreateTask(coroutine));
        RunMain(task);
        return task.ResultAfterDone();
    }

    /// <summary>Runs <paramref name="coroutine"/> as the main task until it is done.</summary>
    /// <exception cref="InvalidOperationException">The runner is closed, or a loop is running on this thread.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public void Run(Coroutine coroutine)
    {
        CheckCanRun();
        AioTask task = InContext(() => Loop.CreateTask(coroutine));
        RunMain(task);
        task.ThrowIfNotSucceeded();
    }

    /// <summary>Calls <paramref name="main"/> and runs the coroutine it returns as the main task.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The runner is closed, or a loop is running on this thread.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public T Run<T>(Func<Coroutine<T>> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        CheckCanRun();
        return Run(InContext(main));
    }

    /// <summary>Calls <paramref name="main"/> and runs the coroutine it returns as the main task.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The runner is closed, or a loop is running on this thread.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public void Run(Func<Coroutine> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        CheckCanRun();
        Run(InContext(main));
    }

    /// <summary>Runs a plain .NET async function as the main task and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The runner is closed, or a loop is running on this thread.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public T Run<T>(Func<Task<T>> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        CheckCanRun();
        AioTask<T> task = InContext(() => Loop.CreateTask(main));
        RunMain(task);
        return task.ResultAfterDone();
    }

    /// <summary>Runs a plain .NET async function as the main task.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="main"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The runner is closed, or a loop is running on this thread.</exception>
    /// <exception cref="KeyboardInterruptException">Ctrl-C cancelled the main task and it ended cancelled.</exception>
    public void Run(Func<Task> main)
    {
        ArgumentNullException.ThrowIfNull(main);
        CheckCanRun();
        AioTask task = InContext(() => Loop.CreateTask(main));
        RunMain(task);
        task.ThrowIfNotSucceeded();
    }

    /// <summary>Runs <paramref name="create"/> in the runner's shared execution context, so tasks copy it.</summary>
    private TResult InContext<TResult>(Func<TResult> create)
    {
        if (_context is null)
        {
            return create();
        }

        TResult result = default!;
        ExecutionContext.Run(_context, _ => result = create(), null);
        return result;
    }

    private void RunMain(AioTask task)
    {
        EventLoop loop = Loop;
        _mainTask = task;
        _interrupts = 0;
        PosixSignalRegistration? sigint = TryOwnSigint();
        try
        {
            loop.RunUntilComplete((AioFuture)task);
        }
        catch (CancelledError e) when (_interrupts > 0 && task.IsCancelled && task.Uncancel() == 0)
        {
            throw new KeyboardInterruptException(e);
        }
        catch (Exception e) when (loop.Seed is int seed && NoteSeed(e, seed))
        {
            throw;   // not reached: NoteSeed returns false
        }
        finally
        {
            if (sigint is not null)
            {
                sigint.Dispose();
                Interlocked.CompareExchange(ref s_sigintOwner, null, this);
            }

            _context = task._context ?? _context;
            _mainTask = null;
        }
    }

    /// <summary>
    /// A run under a seeded schedule failed: say which seed, so the schedule can be replayed (ASYNCIO_SEED=n).
    /// Returns false so the exception filter lets the original exception through untouched.
    /// </summary>
    private static bool NoteSeed(Exception e, int seed)
    {
        e.Data["Asyncio.Seed"] = seed;
        Console.Error.WriteLine(
            $"Asyncio: this run used the seeded schedule {seed}; set ASYNCIO_SEED={seed} (or LoopOptions.Seed) to replay it.");
        return false;
    }

    private PosixSignalRegistration? TryOwnSigint()
    {
        if (!_handleSigint || Interlocked.CompareExchange(ref s_sigintOwner, this, null) is not null)
        {
            return null;   // another run in this process handles Ctrl-C
        }

        try
        {
            return PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSigint);
        }
        catch (Exception e) when (e is PlatformNotSupportedException or IOException or UnauthorizedAccessException)
        {
            Interlocked.CompareExchange(ref s_sigintOwner, null, this);
            return null;
        }
    }

    /// <summary>Runs on a signal-handling thread: hands the cancel to the loop.</summary>
    private void OnSigint(PosixSignalContext context)
    {
        if (Interlocked.Increment(ref _interrupts) > 1)
        {
            return;   // second Ctrl-C: let the default action end the process (exit code 130)
        }

        context.Cancel = true;
        EventLoop? loop = _loop;
        AioTask? main = _mainTask;
        if (loop is null || main is null)
        {
            return;
        }

        loop.TryPost(static s =>
        {
            var t = (AioTask)s!;
            if (!t.IsDone)
            {
                t.Cancel();
            }
        }, main);
    }

    /// <summary>
    /// Cancels the tasks still pending and waits for them (reporting their errors other than cancellation), waits for
    /// the default executor (bounded by <see cref="LoopOptions.ExecutorShutdownTimeout"/>), and closes the loop.
    /// Idempotent.
    /// </summary>
    /// <exception cref="LostErrorsException">
    /// <see cref="LoopOptions.StrictExceptions"/> is set and the loop reported errors nobody retrieved.
    /// </exception>
    public void Close() => CloseRunner(throwLostErrors: true);

    internal void CloseRunner(bool throwLostErrors)
    {
        if (_closed)
        {
            return;
        }

        _closed = true;
        EventLoop? loop = _loop;
        if (loop is null || loop.IsClosed)
        {
            return;
        }

        try
        {
            CancelAllTasks(loop);
            loop.RunUntilComplete(loop.ShutdownDefaultExecutorAsync(_options.ExecutorShutdownTimeout));
        }
        finally
        {
            loop.Close();
        }

        if (throwLostErrors && loop.Options.StrictExceptions && loop.LostReports.Count > 0)
        {
            throw new LostErrorsException(loop.LostReports);
        }
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    private static void CancelAllTasks(EventLoop loop)
    {
        IReadOnlyList<AioTask> pending = loop.AllTasks();
        if (pending.Count == 0)
        {
            return;
        }

        foreach (AioTask task in pending)
        {
            task.Cancel();
        }

        loop.RunUntilComplete(AllDone(loop, pending));
        foreach (AioTask task in pending)
        {
            if (task.IsFaulted)
            {
                task._flags |= FutureFlags.Retrieved;
                loop.ReportLost(new LoopExceptionContext("unhandled exception during Aio.Run() shutdown")
                {
                    Exception = (Exception)task._outcome!,
                    Task = task,
                });
            }
        }
    }

    /// <summary>A future that finishes once every one of <paramref name="tasks"/> is done.</summary>
    private static Future<bool> AllDone(EventLoop loop, IReadOnlyList<AioTask> tasks)
    {
        var all = loop.CreateFuture<bool>();
        int remaining = tasks.Count;
        foreach (AioTask task in tasks)
        {
            task.AddInternalCallback(_ =>
            {
                if (--remaining == 0)
                {
                    all.TrySetResult(true);
                }
            }, null);
        }

        return all;
    }

    private void CheckOpen()
    {
        if (_closed)
        {
            throw new InvalidOperationException("The Runner is closed. Create a new Runner to run more coroutines.");
        }
    }

    private void CheckCanRun()
    {
        CheckOpen();
        if (EventLoop.Current is not null)
        {
            throw new InvalidOperationException(
                "Runner.Run cannot be called from a running event loop. Inside a coroutine, await the work instead.");
        }
    }
}
