namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>Default-executor work in flight, for the bounded wait at shutdown. Guarded by itself.</summary>
    private readonly HashSet<ExecutorWork> _executorWork = new();
    private bool _executorShutdown;
    private Future<bool>? _executorIdle;

    /// <summary>
    /// Runs <paramref name="function"/> on the thread pool (asyncio's <c>run_in_executor(None, f)</c>) and returns a
    /// future for its result. Cancelling the future before the work starts keeps it from running; once it runs it
    /// cannot be interrupted. An <see cref="OperationCanceledException"/> from the function cancels the future.
    /// Virtual time does not move while the work is in flight.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, the default executor was shut down, or this is not the loop's thread.</exception>
    public Future<T> RunInExecutor<T>(Func<T> function) => RunInExecutor(null, function);

    /// <summary>
    /// Runs <paramref name="function"/> on <paramref name="executor"/> (any <see cref="TaskScheduler"/>; the thread pool
    /// when null) and returns a future for its result; see <see cref="RunInExecutor{T}(Func{T})"/>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, the default executor was shut down, or this is not the loop's thread.</exception>
    public Future<T> RunInExecutor<T>(TaskScheduler? executor, Func<T> function)
    {
        ArgumentNullException.ThrowIfNull(function);
        return StartExecutorWork(executor, _ => function(), EventLoop.DescribeDelegate(function), flowContext: false);
    }

    internal Future<T> StartExecutorWork<T>(TaskScheduler? executor, Func<CancellationToken, T> function, string description, bool flowContext)
    {
        CheckCallable(nameof(RunInExecutor));
        if (executor is null && _executorShutdown)
        {
            throw new InvalidOperationException(
                "The default executor has been shut down (ShutdownDefaultExecutorAsync was called, or Aio.Run is exiting); no more ToThread/RunInExecutor work can start on this loop.");
        }

        var future = CreateFuture<T>();
        var work = new ExecutorWork<T>(this, future, function, description, isDefault: executor is null);
        BeginOffLoopWork();
        if (executor is null)
        {
            lock (_executorWork)
            {
                _executorWork.Add(work);
            }
        }

        future.AddInternalCallback(ExecutorWork<T>.OnFutureDone, work);
        if (executor is not null)
        {
            Task.Factory.StartNew(static w => ((ExecutorWork<T>)w!).Run(), work, CancellationToken.None, TaskCreationOptions.DenyChildAttach, executor);
        }
        else if (flowContext)
        {
            ThreadPool.QueueUserWorkItem(static w => w.Run(), work, preferLocal: false);
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(static w => w.Run(), work, preferLocal: false);
        }

        return future;
    }

    /// <summary>Loop thread: a piece of executor work has finished (or was skipped).</summary>
    internal void OnExecutorWorkDone(ExecutorWork work)
    {
        EndOffLoopWork();
        if (!work.IsDefault)
        {
            return;
        }

        bool idle;
        lock (_executorWork)
        {
            _executorWork.Remove(work);
            idle = _executorWork.Count == 0;
        }

        if (idle && _executorIdle is { } waiters)
        {
            _executorIdle = null;
            waiters.TrySetResult(true);
        }
    }

    /// <summary>
    /// Stops the default executor from taking new work and waits until the work in flight has finished, at most
    /// <paramref name="timeout"/> of real time (asyncio's <c>shutdown_default_executor</c>). If it gives up, it reports
    /// the work still running through the exception handler. Null waits without limit.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="timeout"/> is negative.</exception>
    public async Coroutine ShutdownDefaultExecutorAsync(TimeSpan? timeout = null)
    {
        if (timeout is { } t && t < TimeSpan.Zero && t != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(timeout), timeout, "The timeout must not be negative (null or Timeout.InfiniteTimeSpan: no limit).");
        }

        CheckThread(nameof(ShutdownDefaultExecutorAsync));
        _executorShutdown = true;
        lock (_executorWork)
        {
            if (_executorWork.Count == 0)
            {
                return;
            }
        }

        Future<bool> shared = _executorIdle ??= CreateFuture<bool>();   // one future for every waiting caller
        var idle = CreateFuture<bool>();
        shared.AddInternalCallback(static s => ((Future<bool>)s!).TrySetResult(true), idle);
        Timer? timer = null;
        if (timeout is { } limit && limit != Timeout.InfiniteTimeSpan)
        {
            // Real time even on a virtual clock: virtual time is held while threads work, so only real time bounds this.
            timer = new Timer(static s =>
            {
                var (loop, f) = ((EventLoop, Future<bool>))s!;
                loop.TryPost(static x => ((Future<bool>)x!).TrySetResult(false), f);
            }, (this, idle), limit, Timeout.InfiniteTimeSpan);
        }

        bool finished;
        try
        {
            finished = await idle;
        }
        finally
        {
            timer?.Dispose();
        }

        if (!finished)
        {
            string[] running;
            lock (_executorWork)
            {
                running = _executorWork.Select(w => w.Description).OrderBy(d => d, StringComparer.Ordinal).ToArray();
            }

            CallExceptionHandler(new LoopExceptionContext(
                $"The default executor did not finish its work within {timeout!.Value.TotalSeconds:0.###} seconds; gave up waiting for: " +
                string.Join(", ", running) + ". That work keeps running on the thread pool without the loop."));
        }
    }

    private void ShutdownExecutorNoWait() => _executorShutdown = true;
}

/// <summary>One piece of ToThread/RunInExecutor work.</summary>
internal abstract class ExecutorWork
{
    protected const int Queued = 0, Running = 1, Skipped = 2;
    protected int _state;

    protected ExecutorWork(string description, bool isDefault)
    {
        Description = description;
        IsDefault = isDefault;
    }

    public string Description { get; }

    public bool IsDefault { get; }
}

internal sealed class ExecutorWork<T> : ExecutorWork
{
    private readonly EventLoop _loop;
    private readonly Future<T> _future;
    private readonly Func<CancellationToken, T> _function;
    private readonly CancellationTokenSource _cancel = new();
    private T _result = default!;
    private Exception? _error;

    public ExecutorWork(EventLoop loop, Future<T> future, Func<CancellationToken, T> function, string description, bool isDefault)
        : base(description, isDefault)
    {
        _loop = loop;
        _future = future;
        _function = function;
    }

    /// <summary>Loop thread: the future is done; if it was cancelled, keep the work from starting and signal its token.</summary>
    public static readonly Action<object?> OnFutureDone = static s =>
    {
        var work = (ExecutorWork<T>)s!;
        if (work._future.IsCancelled)
        {
            Interlocked.CompareExchange(ref work._state, Skipped, Queued);
            try
            {
                work._cancel.Cancel();
            }
            catch (AggregateException e)
            {
                work._loop.CallExceptionHandler(new LoopExceptionContext("Exception in a cancellation callback of ToThread/RunInExecutor work") { Exception = e });
            }
        }
    };

    /// <summary>Pool thread.</summary>
    public void Run()
    {
        if (Interlocked.CompareExchange(ref _state, Running, Queued) == Queued)
        {
            EventLoop? outer = EventLoop.t_offLoopWorkFor;
            EventLoop.t_offLoopWorkFor = _loop;
            try
            {
                _result = _function(_cancel.Token);
            }
            catch (Exception e)
            {
                _error = e;
            }
            finally
            {
                EventLoop.t_offLoopWorkFor = outer;
            }
        }

        if (!_loop.TryPost(static s => ((ExecutorWork<T>)s!).Complete(), this))
        {
            // The loop closed while the work ran: nobody can receive the outcome any more.
        }
    }

    /// <summary>Loop thread.</summary>
    private void Complete()
    {
        _loop.OnExecutorWorkDone(this);
        if (_future.IsDone)
        {
            return;
        }

        if (_error is null)
        {
            _future.TrySetResult(_result);
        }
        else if (_error is OperationCanceledException oce && (oce is CancelledError || oce.CancellationToken == _cancel.Token))
        {
            _future.Cancel(oce.Message);
        }
        else
        {
            _future.TrySetException(_error);
        }
    }
}
