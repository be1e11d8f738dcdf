using System.Diagnostics;
using static Asyncio.FutureFlags;

namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>The task whose step is running (asyncio's <c>current_task()</c>). Loop thread only.</summary>
    internal AioTask? _currentTask;

    /// <summary>
    /// The error the innermost resumed await must throw (a CancelledError when a cancel ended a loop-native wait).
    /// Set by <see cref="AioTask.Step"/>, consumed by the first loop-native GetResult, cleared after each step.
    /// </summary>
    internal Exception? _resumeError;

    /// <summary>The coroutine frame whose code runs now (set by the task driver before each frame's step). Loop thread only.</summary>
    internal AioTask? _runningFrame;

    /// <summary>A coroutine frame just awaited by the running frame; the task's driver runs it next.</summary>
    internal AioTask? _pushedFrame;

    /// <summary>Pending tasks, each at its <see cref="AioTask._slot"/>. Loop thread only.</summary>
    private AioTask?[] _tasks = new AioTask?[16];
    private int _taskCount;

    internal void RegisterTask(AioTask task)
    {
        System.Diagnostics.Debug.Assert(task._slot < 0);
        if (_taskCount == _tasks.Length)
        {
            Array.Resize(ref _tasks, _tasks.Length * 2);
        }

        task._slot = _taskCount;
        _tasks[_taskCount++] = task;
    }

    internal void UnregisterTask(AioTask task)
    {
        int slot = task._slot;
        if (slot < 0)
        {
            return;
        }

        int last = --_taskCount;
        AioTask moved = _tasks[last]!;
        _tasks[slot] = moved;
        moved._slot = slot;
        _tasks[last] = null;
        task._slot = -1;
    }

    /// <summary>
    /// Futures and tasks that failed while nobody had looked at their outcome. Kept referenced until the loop closes,
    /// where those still unretrieved are reported (CPython reports from <c>__del__</c>, at a moment .NET cannot
    /// reproduce; this moment is deterministic). Loop thread only.
    /// </summary>
    private readonly List<AioFuture> _unretrieved = new();
    private int _unretrievedPruneAt = 64;

    internal void NoteUnretrieved(AioFuture future)
    {
        _unretrieved.Add(future);
        if (_unretrieved.Count >= _unretrievedPruneAt)
        {
            _unretrieved.RemoveAll(static f => (f._flags & FutureFlags.Retrieved) != 0);
            _unretrievedPruneAt = Math.Max(64, _unretrieved.Count * 2);
        }
    }

    /// <summary>Reports "... exception was never retrieved" for each failed future nobody looked at.</summary>
    private void ReportUnretrieved()
    {
        foreach (AioFuture f in _unretrieved)
        {
            if ((f._flags & FutureFlags.Retrieved) != 0)
            {
                continue;
            }

            f._flags |= FutureFlags.Retrieved;
            var task = f as AioTask;
            ReportLost(new LoopExceptionContext($"{(task is null ? "Future" : "Task")} exception was never retrieved")
            {
                Exception = (Exception)f._outcome!,
                Future = f,
                Task = task,
                SourceTraceback = task?.CreationStackText(),
            });
        }

        _unretrieved.Clear();
    }

    private void TrimTaskRegistry()
    {
        if (_tasks.Length > 4096 && _taskCount * 16 < _tasks.Length)
        {
            Array.Resize(ref _tasks, Math.Max(4096, _taskCount * 4));
        }
    }

    /// <summary>The tasks of this loop that are not done (asyncio's <c>all_tasks(loop)</c>).</summary>
    public IReadOnlyList<AioTask> AllTasks()
    {
        CheckThread(nameof(AllTasks));
        var list = new AioTask[_taskCount];
        Array.Copy(_tasks, list, _taskCount);
        return list;
    }

    /// <summary>The task whose step is running on this loop, or null between steps (asyncio's <c>current_task()</c>).</summary>
    public AioTask? CurrentTask => _currentTask;

    /// <summary>Creates a pending future bound to this loop (asyncio's <c>loop.create_future()</c>).</summary>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public Future<T> CreateFuture<T>() => new(this);

    /// <summary>
    /// Schedules <paramref name="coroutine"/> as a task on this loop (asyncio's <c>loop.create_task</c>). Its first step
    /// runs on the next iteration, or at once when the loop runs with <see cref="LoopOptions.EagerTasks"/>.
    /// </summary>
    /// <exception cref="InvalidOperationException">The coroutine was already awaited or made a task, the loop is closed, or this is not the loop's thread.</exception>
    public AioTask<T> CreateTask<T>(Coroutine<T> coroutine, string? name = null)
    {
        CheckCallable(nameof(CreateTask));
        CoroutineFrame<T> frame = coroutine.Claim("create a task from");
        StartFrameAsTask(frame, name, Options.EagerTasks);
        return frame;
    }

    /// <summary>Schedules <paramref name="coroutine"/> as a task without a result; see <see cref="CreateTask{T}(Coroutine{T}, string?)"/>.</summary>
    /// <exception cref="InvalidOperationException">The coroutine was already awaited or made a task, the loop is closed, or this is not the loop's thread.</exception>
    public AioTask CreateTask(Coroutine coroutine, string? name = null)
    {
        CheckCallable(nameof(CreateTask));
        CoroutineFrame<VoidResult> frame = coroutine.Claim("create a task from");
        StartFrameAsTask(frame, name, Options.EagerTasks);
        return frame;
    }

    /// <summary>
    /// Runs a plain .NET async function as a task on this loop: it starts on the next iteration with this loop's
    /// synchronization context, so its awaits resume on the loop. Cancelling it fires its
    /// <see cref="AioTask.CancellationToken"/>; it cannot interrupt the function's awaits.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public AioTask<T> CreateTask<T>(Func<Task<T>> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        CheckCallable(nameof(CreateTask));
        var task = new DelegateTask<T>(function);
        StartTask(task, name, Options.EagerTasks);
        return task;
    }

    /// <summary>Runs a plain .NET async function without a result as a task; see <see cref="CreateTask{T}(Func{Task{T}}, string?)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="function"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public AioTask CreateTask(Func<Task> function, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(function);
        CheckCallable(nameof(CreateTask));
        var task = new DelegateTask<VoidResult>(function);
        StartTask(task, name, Options.EagerTasks);
        return task;
    }

    internal void StartFrameAsTask<T>(CoroutineFrame<T> frame, string? name, bool eager)
    {
        frame._flags |= IsTask | Claimed;
        StartTask(frame, name, eager);
    }

    internal void StartTask(AioTask task, string? name, bool eager)
    {
        CheckNotClosed(nameof(CreateTask));
        task.InitializeTask(this, name);
        RegisterTask(task);
        _statTasksCreated++;
        if (_taskBirths is not null)
        {
            NoteTaskBirth(task);
        }

        if (_debug)
        {
            task.SetCreationStack(CreationStack.Capture());
        }

        if (eager && Environment.CurrentManagedThreadId == _ownerThread)
        {
            task.Step();   // asyncio's eager start: the first step runs now, with the new task as current task
        }
        else
        {
            _ready.Enqueue(AioTask.StepCallback, task, null);
        }
    }

    /// <summary>Clock ticks at which a sleep of <paramref name="seconds"/> (positive, finite) started now ends.</summary>
    internal long DueTicksAfter(double seconds)
    {
        long now = NowTicks;
        long delta = SecondsToTicks(seconds);
        return delta >= FarFutureTicks - now ? FarFutureTicks : now + delta;
    }

    /// <summary>Plain .NET async code awaits <c>Aio.Sleep</c>: its continuation waits on a loop timer.</summary>
    internal void SleepForeign(double seconds, Action continuation)
    {
        CheckCallable("Aio.Sleep");
        AioTask? task = TaskToBindTo();
        if (seconds <= 0)
        {
            if (task is null)
            {
                _ready.Enqueue(s_invokeAction, continuation, null);
            }
            else
            {
                _ready.Enqueue(TaskBoundContinuation.RunCallback, new TaskBoundContinuation(task, continuation), null);
            }

            return;
        }

        _loopDrivenForeign++;
        if (double.IsPositiveInfinity(seconds))
        {
            return;   // never resumes: plain .NET code cannot be cancelled out of this sleep, only its task's token
        }

        _timers.Push(DueTicksAfter(seconds), task is null ? continuation : new TaskBoundContinuation(task, continuation));
    }

    /// <summary>
    /// The task a continuation of plain .NET async code parked now belongs to: a <c>Func&lt;Task&gt;</c> task keeps
    /// running its continuations as itself (so <see cref="Aio.CurrentTask"/> names it after every await).
    /// </summary>
    internal AioTask? TaskToBindTo() => _currentTask is { RunsDotNetCode: true } task ? task : null;

    /// <summary>Posts from any thread; false if the loop is closed (for completions of outside work).</summary>
    internal bool TryPost(Action<object?> callback, object? state)
    {
        if (_closed)
        {
            return false;
        }

        try
        {
            Post(callback, state);
            return true;
        }
        catch (InvalidOperationException) when (_closed)
        {
            return false;
        }
    }

    internal IEnumerable<TimerEntry> TimerEntries() => _timers.LiveEntries();

    /// <summary>One line per pending task: name, coroutine, what it awaits.</summary>
    internal IReadOnlyList<string> DescribePendingTasks()
    {
        var lines = new List<string>(_taskCount);
        for (int i = 0; i < _taskCount; i++)
        {
            AioTask t = _tasks[i]!;
            lines.Add($"task '{t.Name}' ({t.CoroutineName}): {t.DescribeWait()}");
        }

        lines.Sort(StringComparer.Ordinal);
        return lines;
    }
}
