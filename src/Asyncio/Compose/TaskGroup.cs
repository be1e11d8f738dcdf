using System.Runtime.ExceptionServices;

namespace Asyncio;

/// <summary>
/// Structured concurrency (asyncio's <c>TaskGroup</c>): tasks created in the group are awaited before
/// <see cref="RunAsync(Func{TaskGroup, Coroutine})"/> returns. The first task that fails cancels the other tasks and
/// the body; all failures come out together in one <see cref="TaskGroupException"/>.
/// <code>
/// await TaskGroup.RunAsync(async group =>
/// {
///     group.CreateTask(Fetch("a"));
///     group.CreateTask(Fetch("b"));
/// });
/// </code>
/// </summary>
/// <remarks>
/// A lambda rather than <c>await using</c>: the group must see the body's exception to cancel its tasks when the body
/// fails. As CPython 3.13: a cancel from outside propagates as <see cref="CancelledError"/> once the tasks are done
/// (unless tasks failed: errors win), and the parent's <see cref="AioTask.Cancelling"/> count stays right.
/// </remarks>
public sealed class TaskGroup
{
    private readonly EventLoop _loop;
    private readonly AioTask _parent;
    private readonly HashSet<AioTask> _tasks = new(ReferenceEqualityComparer.Instance);
    private readonly List<Exception> _errors = new();
    private bool _exiting;
    private bool _aborting;
    private bool _parentCancelRequested;
    private Future<bool>? _onCompleted;

    /// <summary>The task that runs the group's body and waits for its tasks (the group's tasks are awaited by it).</summary>
    internal AioTask ParentTask => _parent;

    private TaskGroup(EventLoop loop, AioTask parent)
    {
        _loop = loop;
        _parent = parent;
    }

    /// <summary>
    /// Runs <paramref name="body"/> with a new group, then waits for every task created in it. Must be awaited inside
    /// a task.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="TaskGroupException">Tasks of the group (or the body) failed.</exception>
    /// <exception cref="CancelledError">The awaiting task was cancelled from outside.</exception>
    public static async Coroutine RunAsync(Func<TaskGroup, Coroutine> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        TaskGroup group = Enter();
        Exception? bodyError = null;
        try
        {
            await body(group);
        }
        catch (Exception e)
        {
            bodyError = e;
        }

        await group.ExitAsync(bodyError);
    }

    /// <summary>Runs <paramref name="body"/> with a new group and returns its result once every task is done.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="body"/> is null.</exception>
    /// <exception cref="TaskGroupException">Tasks of the group (or the body) failed.</exception>
    /// <exception cref="CancelledError">The awaiting task was cancelled from outside.</exception>
    public static async Coroutine<T> RunAsync<T>(Func<TaskGroup, Coroutine<T>> body)
    {
        ArgumentNullException.ThrowIfNull(body);
        TaskGroup group = Enter();
        Exception? bodyError = null;
        T result = default!;
        try
        {
            result = await body(group);
        }
        catch (Exception e)
        {
            bodyError = e;
        }

        await group.ExitAsync(bodyError);
        return result;
    }

    private static TaskGroup Enter()
    {
        EventLoop loop = Aio.RunningLoop("TaskGroup.RunAsync");
        AioTask parent = loop._currentTask ?? throw new InvalidOperationException(
            "TaskGroup cannot determine the parent task: await TaskGroup.RunAsync from a coroutine running in a task.");
        return new TaskGroup(loop, parent);
    }

    /// <summary>Tasks of the group that are not done yet.</summary>
    public int PendingCount => _tasks.Count;

    /// <summary>Schedules <paramref name="coroutine"/> as a task of the group.</summary>
    /// <exception cref="InvalidOperationException">The group is finished or shutting down (after a failure).</exception>
    public AioTask<T> CreateTask<T>(Coroutine<T> coroutine, string? name = null)
    {
        CheckOpen();
        AioTask<T> task = _loop.CreateTask(coroutine, name);
        Track(task);
        return task;
    }

    /// <summary>Schedules <paramref name="coroutine"/> as a task of the group.</summary>
    /// <exception cref="InvalidOperationException">The group is finished or shutting down (after a failure).</exception>
    public AioTask CreateTask(Coroutine coroutine, string? name = null)
    {
        CheckOpen();
        AioTask task = _loop.CreateTask(coroutine, name);
        Track(task);
        return task;
    }

    private void CheckOpen()
    {
        _loop.CheckThread(nameof(CreateTask));
        if (_exiting && _tasks.Count == 0)
        {
            throw new InvalidOperationException($"{this} is finished: create tasks inside the body or from tasks of the group while it runs.");
        }

        if (_aborting)
        {
            throw new InvalidOperationException($"{this} is shutting down after a failure or cancellation; it takes no new tasks.");
        }
    }

    private void Track(AioTask task)
    {
        // As asyncio 3.13 (gh-128550, gh-128588): a task that finished during its eager start goes through the done
        // callback too, on the next iteration. Handling it here would abort the group (and cancel the parent) inside
        // CreateTask, before the task creating it is tracked.
        _tasks.Add(task);
        task.AddInternalCallback(static s =>
        {
            var (group, t) = ((TaskGroup, AioTask))s!;
            group.OnTaskDone(t);
        }, (this, task));
    }

    private void OnTaskDone(AioTask task)
    {
        _tasks.Remove(task);
        if (_onCompleted is { IsDone: false } waiter && _tasks.Count == 0)
        {
            waiter.TrySetResult(true);
        }

        if (task.IsCancelled || !task.IsFaulted)
        {
            return;
        }

        task._flags |= FutureFlags.Retrieved;
        var error = (Exception)task._outcome!;
        _errors.Add(error);
        if (_parent.IsDone)
        {
            _loop.CallExceptionHandler(new LoopExceptionContext($"Task {task} has errored out but its parent task {_parent} is already completed")
            {
                Exception = error,
                Task = task,
            });
            return;
        }

        if (!_aborting && !_parentCancelRequested)
        {
            // Cancel the body's current await too; ExitAsync un-cancels the parent afterwards.
            Abort();
            _parentCancelRequested = true;
            _parent.Cancel();
        }
    }

    private void Abort()
    {
        _aborting = true;
        foreach (AioTask t in _tasks)
        {
            if (!t.IsDone)
            {
                t.Cancel();
            }
        }
    }

    private async Coroutine ExitAsync(Exception? bodyError)
    {
        _exiting = true;
        Exception? propagateCancellation = bodyError is not null && _parent.IsOwnCancellation(bodyError) ? bodyError : null;
        if (bodyError is not null && !_aborting)
        {
            Abort();   // the body failed, or the parent is being cancelled
        }

        while (_tasks.Count > 0)
        {
            _onCompleted ??= _loop.CreateFuture<bool>();
            try
            {
                await _onCompleted;
            }
            catch (CancelledError e)
            {
                if (!_aborting)
                {
                    propagateCancellation = e;   // the parent is cancelled while the tasks still run
                    Abort();
                }
            }

            _onCompleted = null;
        }

        if (_parentCancelRequested && _parent.Uncancel() == 0)
        {
            propagateCancellation = null;   // only our own cancel was pending: don't propagate it
        }

        if (propagateCancellation is not null && _errors.Count == 0)
        {
            ExceptionDispatchInfo.Throw(propagateCancellation);
        }

        if (bodyError is not null && !_parent.IsOwnCancellation(bodyError))
        {
            _errors.Add(bodyError);   // the body's own error comes last
        }

        if (_errors.Count > 0)
        {
            if (_parent.Cancelling() > 0)
            {
                // Cancelled from outside as well: keep the count stable, and the next await is cancelled.
                _parent.Uncancel();
                _parent.Cancel();
            }

            throw new TaskGroupException(_errors);
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"<TaskGroup tasks={_tasks.Count}{(_errors.Count > 0 ? $" errors={_errors.Count}" : "")}{(_aborting ? " cancelling" : _exiting ? " exiting" : " entered")}>";
}

/// <summary>The errors of a <see cref="TaskGroup"/>'s tasks (and body), all of them (asyncio's <c>ExceptionGroup</c>).</summary>
public sealed class TaskGroupException : AggregateException
{
    /// <summary>Creates the exception; the body's own error, if any, comes last.</summary>
    public TaskGroupException(IEnumerable<Exception> errors)
        : base("unhandled errors in a TaskGroup", errors)
    {
    }
}
