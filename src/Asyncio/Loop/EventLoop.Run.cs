namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>
    /// Runs <paramref name="coroutine"/> as a task until it is done and returns its result (asyncio's
    /// <c>run_until_complete</c>); rethrows its exception.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop is closed or running, or it stopped before the task finished.</exception>
    /// <exception cref="DeadlockException">In virtual time, the task can never finish.</exception>
    public T RunUntilComplete<T>(Coroutine<T> coroutine)
    {
        CheckNotClosed(nameof(RunUntilComplete));
        CheckNotRunning(nameof(RunUntilComplete));
        AioTask<T> task = CreateTask(coroutine);
        RunUntilDone(task, ownTask: true);
        return task.ResultAfterDone();
    }

    /// <summary>Runs <paramref name="coroutine"/> as a task until it is done; rethrows its exception.</summary>
    /// <exception cref="InvalidOperationException">The loop is closed or running, or it stopped before the task finished.</exception>
    /// <exception cref="DeadlockException">In virtual time, the task can never finish.</exception>
    public void RunUntilComplete(Coroutine coroutine)
    {
        CheckNotClosed(nameof(RunUntilComplete));
        CheckNotRunning(nameof(RunUntilComplete));
        AioTask task = CreateTask(coroutine);
        RunUntilDone(task, ownTask: true);
        task.ThrowIfNotSucceeded();
    }

    /// <summary>Runs the loop until <paramref name="task"/> is done and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="task"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The task belongs to another loop, the loop is closed or running, or it stopped first.</exception>
    public T RunUntilComplete<T>(AioTask<T> task)
    {
        RunUntilDone(CheckOwnFuture(task), ownTask: false);
        return task.ResultAfterDone();
    }

    /// <summary>Runs the loop until <paramref name="future"/> is done and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="future"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The future belongs to another loop, the loop is closed or running, or it stopped first.</exception>
    public T RunUntilComplete<T>(Future<T> future)
    {
        RunUntilDone(CheckOwnFuture(future), ownTask: false);
        return future.ResultAfterDone();
    }

    /// <summary>Runs the loop until <paramref name="future"/> (a task or future) is done; rethrows its exception.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="future"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The future belongs to another loop, the loop is closed or running, or it stopped first.</exception>
    public void RunUntilComplete(AioFuture future)
    {
        RunUntilDone(CheckOwnFuture(future), ownTask: false);
        future.ThrowIfNotSucceeded();
    }

    /// <summary>Runs a plain .NET async function as a task until it is done and returns its result.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed or running, or it stopped before the task finished.</exception>
    public T RunUntilComplete<T>(Func<Task<T>> function)
    {
        CheckNotClosed(nameof(RunUntilComplete));
        CheckNotRunning(nameof(RunUntilComplete));
        AioTask<T> task = CreateTask(function);
        RunUntilDone(task, ownTask: true);
        return task.ResultAfterDone();
    }

    /// <summary>Runs a plain .NET async function as a task until it is done; rethrows its exception.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed or running, or it stopped before the task finished.</exception>
    public void RunUntilComplete(Func<Task> function)
    {
        CheckNotClosed(nameof(RunUntilComplete));
        CheckNotRunning(nameof(RunUntilComplete));
        AioTask task = CreateTask(function);
        RunUntilDone(task, ownTask: true);
        task.ThrowIfNotSucceeded();
    }

    private TFuture CheckOwnFuture<TFuture>(TFuture future)
        where TFuture : AioFuture
    {
        ArgumentNullException.ThrowIfNull(future);
        if (!ReferenceEquals(future._loop, this))
        {
            throw new InvalidOperationException(
                $"{future.Describe()} belongs to another event loop; RunUntilComplete can only wait for futures and tasks of this loop.");
        }

        return future;
    }

    private void CheckNotRunning(string member)
    {
        if (IsRunning)
        {
            throw new InvalidOperationException(
                $"{member} cannot be called while this loop is running. Await the work from a coroutine on the loop instead.");
        }
    }

    private static readonly Action<object?> s_stopLoop = static s => ((EventLoop)s!)._stopping = true;

    private void RunUntilDone(AioFuture future, bool ownTask)
    {
        CheckNotClosed(nameof(RunUntilComplete));
        if (!future.IsDone)
        {
            future.AddInternalCallback(s_stopLoop, this);
        }
        else
        {
            Stop();   // done already: run exactly one iteration, as asyncio
        }

        AioFuture? previous = _runUntil;
        _runUntil = future;
        try
        {
            RunForever();
        }
        catch
        {
            if (ownTask && future.IsDone && !future.IsCancelled)
            {
                future._flags |= FutureFlags.Retrieved;   // the caller gets the loop's error; don't also report the task's
            }

            throw;
        }
        finally
        {
            _runUntil = previous;
            future.RemoveInternalCallback(s_stopLoop, this);
        }

        if (!future.IsDone)
        {
            throw new InvalidOperationException(
                $"Event loop stopped before the future completed: {future.Describe()}. Something called Stop() while RunUntilComplete was waiting.");
        }
    }
}
