using System.Diagnostics;
using System.Runtime.ExceptionServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>
/// Something with an outcome the loop can wait for: the common base of <see cref="Future{T}"/> and <see cref="AioTask"/>
/// (asyncio's <c>Future</c> protocol). Pending, then finished with a result, failed with an exception, or cancelled.
/// Not thread-safe: use it on its loop's thread.
/// </summary>
public abstract class AioFuture : IAioAwaitable
{
    /// <summary>The loop; null only for a coroutine frame that has not started running.</summary>
    internal EventLoop? _loop;

    /// <summary>State and flag bits, see <see cref="FutureFlags"/>.</summary>
    internal int _flags;

    /// <summary>
    /// Failed: the exception. Cancelled: the <see cref="CancelledError"/>. Pending coroutine frame that threw: the
    /// exception until the task decides its outcome.
    /// </summary>
    internal object? _outcome;

    /// <summary>
    /// What to schedule when the outcome is set, in registration order: null, one <see cref="AioTask"/> waiting on this,
    /// one <see cref="Action"/> continuation of plain .NET async code, or a <see cref="DoneCallbackList"/>.
    /// </summary>
    internal object? _callbacks;

    private protected AioFuture()
    {
    }

    private protected AioFuture(EventLoop loop) => _loop = loop;

    /// <summary>The loop this future belongs to.</summary>
    public EventLoop Loop => _loop ?? throw new InvalidOperationException("This coroutine has not been started on a loop yet.");

    /// <summary>True once the future has a result, an exception, or was cancelled (asyncio's <c>done()</c>).</summary>
    public bool IsDone => (_flags & StateMask) != Pending;

    /// <summary>True if the future was cancelled (asyncio's <c>cancelled()</c>).</summary>
    public bool IsCancelled => (_flags & StateMask) == Cancelled;

    /// <summary>True if the future finished with an exception (not cancellation).</summary>
    public bool IsFaulted => (_flags & StateMask) == Failed;

    /// <summary>True if the future finished with a result.</summary>
    public bool IsCompletedSuccessfully => (_flags & StateMask) == Succeeded;

    /// <summary>
    /// The exception the future finished with, or null if it finished with a result (asyncio's <c>exception()</c>).
    /// Reading it counts as retrieving the exception.
    /// </summary>
    /// <exception cref="InvalidStateError">The future is still pending.</exception>
    /// <exception cref="CancelledError">The future was cancelled.</exception>
    public Exception? Exception
    {
        get
        {
            CheckThread(nameof(Exception));
            switch (_flags & StateMask)
            {
                case Pending:
                    throw new InvalidStateError($"Exception is not set: {Describe()} is still pending. Await it, or check IsDone first.");
                case Cancelled:
                    _flags |= Retrieved;
                    ExceptionDispatchInfo.Throw(CancellationForObserver());
                    return null;
                case Failed:
                    _flags |= Retrieved;
                    return (Exception)_outcome!;
                default:
                    return null;
            }
        }
    }

    /// <summary>Lets <c>await</c> wait for any future or task, ignoring its result; rethrows its exception.</summary>
    public AioFutureAwaiter GetAwaiter() => new(this);

    /// <summary>
    /// Cancels the future (asyncio's <c>cancel(msg)</c>): schedules its callbacks and returns true, or returns false
    /// if it was already done.
    /// </summary>
    public abstract bool Cancel(string? msg = null);

    /// <summary>
    /// Adds a callback that runs on the loop, with this future as argument, once the future is done (in registration
    /// order, never inline; if the future is already done the callback is scheduled at once). It runs in the
    /// <see cref="ExecutionContext"/> current at this call.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    public void AddDoneCallback(Action<AioFuture> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckThread(nameof(AddDoneCallback));
        var entry = new DoneCallbackEntry(callback, callback, ExecutionContext.Capture());
        if (IsDone)
        {
            ScheduleOne(in entry);
            return;
        }

        AddEntry(entry);
    }

    /// <summary>Removes every registration of <paramref name="callback"/>; returns how many were removed.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    public int RemoveDoneCallback(Action<AioFuture> callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckThread(nameof(RemoveDoneCallback));
        if (_callbacks is not DoneCallbackList list)
        {
            return 0;
        }

        int removed = list.RemoveAll(e => e.User is not null && e.User.Equals(callback));
        return removed;
    }

    // ------------------------------------------------------------------ internal protocol

    /// <summary>Registers a task to wake (through the ready queue) once this future is done.</summary>
    internal void AddTaskWaiter(AioTask task)
    {
        Debug.Assert(!IsDone);
        AddEntry(new DoneCallbackEntry(task, null, null));
    }

    /// <summary>Forgets a task registered with <see cref="AddTaskWaiter"/> (it stopped waiting).</summary>
    internal void RemoveTaskWaiter(AioTask task)
    {
        if (ReferenceEquals(_callbacks, task))
        {
            _callbacks = null;
        }
        else if (_callbacks is DoneCallbackList list)
        {
            list.RemoveAll(e => ReferenceEquals(e.Target, task));
        }
    }

    /// <summary>What each done-callback registration points at (a task, an internal callback, ...), for the await graph.</summary>
    internal IEnumerable<object> CallbackTargets()
    {
        switch (_callbacks)
        {
            case null:
                yield break;
            case DoneCallbackList list:
                foreach (DoneCallbackEntry entry in list.ToArray())
                {
                    yield return entry.Target;
                }

                break;
            case object single:
                yield return single;
                break;
        }
    }

    /// <summary>Registers an internal callback(state) to run once done (no user context).</summary>
    internal void AddInternalCallback(Action<object?> callback, object? state)
    {
        var entry = new DoneCallbackEntry(new InternalCallback(callback, state), null, null);
        if (IsDone)
        {
            ScheduleOne(in entry);
            return;
        }

        AddEntry(entry);
    }

    /// <summary>Removes an internal callback added with <see cref="AddInternalCallback"/> (same delegate and state).</summary>
    internal void RemoveInternalCallback(Action<object?> callback, object? state)
    {
        if (_callbacks is DoneCallbackList list)
        {
            list.RemoveAll(e => e.Target is InternalCallback ic && ReferenceEquals(ic.Callback, callback) && ReferenceEquals(ic.State, state));
        }
        else if (_callbacks is InternalCallback single && ReferenceEquals(single.Callback, callback) && ReferenceEquals(single.State, state))
        {
            _callbacks = null;
        }
    }

    /// <summary>Registers a continuation of plain .NET async code that awaits this future.</summary>
    internal void AddContinuation(Action continuation)
    {
        EventLoop loop = _loop!;
        if (IsDone)
        {
            loop.Post(EventLoop.InvokeActionCallback, continuation);
            return;
        }

        // An .NET continuation parked on the loop: it explains one foreign await (see EventLoop.IsTimeHeldBack).
        if (EventLoop.Current == loop)
        {
            loop._loopDrivenForeign++;
            AddEntry(new DoneCallbackEntry(new CountedContinuation(continuation), null, null));
        }
        else
        {
            AddEntry(new DoneCallbackEntry(continuation, null, null));
        }
    }

    private void AddEntry(DoneCallbackEntry entry)
    {
        switch (_callbacks)
        {
            case null when entry.User is null && entry.Target is AioTask or Action or InternalCallback:
                _callbacks = entry.Target;
                break;
            case DoneCallbackList list:
                list.Add(entry);
                break;
            case null:
                _callbacks = new DoneCallbackList { entry };
                break;
            default:
                object single = _callbacks;
                _callbacks = new DoneCallbackList { new DoneCallbackEntry(single, null, null), entry };
                break;
        }
    }

    /// <summary>Sets the final state and schedules every callback, in registration order.</summary>
    private protected void CompleteWith(int state, object? outcome)
    {
        Debug.Assert(!IsDone && state != Pending);
        _flags = (_flags & ~StateMask) | state;
        _outcome = outcome;
        if (state == Failed && (_flags & Retrieved) == 0)
        {
            _loop!.NoteUnretrieved(this);   // reported at loop close unless someone looks at it first
        }

        object? callbacks = _callbacks;
        _callbacks = null;
        switch (callbacks)
        {
            case null:
                break;
            case DoneCallbackList list:
                foreach (var entry in list)
                {
                    ScheduleOne(in entry);
                }

                break;
            default:
                var single = new DoneCallbackEntry(callbacks, null, null);
                ScheduleOne(in single);
                break;
        }
    }

    private void ScheduleOne(in DoneCallbackEntry entry)
    {
        EventLoop loop = _loop!;
        switch (entry.Target)
        {
            case AioTask task:
                loop.EnqueueReady(AioTask.WakeupCallback, task);
                break;
            case Action continuation:
                loop.Post(EventLoop.InvokeActionCallback, continuation);
                break;
            case CountedContinuation counted:
                loop._loopDrivenForeign--;
                loop.EnqueueReady(EventLoop.InvokeActionCallback, counted.Continuation);
                break;
            case InternalCallback internalCb:
                loop.EnqueueReady(internalCb.Callback, internalCb.State);
                break;
            case Action<AioFuture> user:
                loop.EnqueueReady(s_runUserCallback, new UserCallbackRun(this, user), entry.Context);
                break;
        }
    }

    private static readonly Action<object?> s_runUserCallback = static s =>
    {
        var run = (UserCallbackRun)s!;
        run.Callback(run.Future);
    };

    internal void CheckThread(string member) => _loop?.CheckThread(member);

    /// <summary>
    /// An await of this future must happen on its own loop: awaiting another loop's task or future (even a finished
    /// one, whose fields that thread does not own) is refused.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    internal void CheckAwaitLoop()
    {
        EventLoop? current = EventLoop.Current;
        if (!ReferenceEquals(_loop, current) && _loop is not null)
        {
            throw current is null
                ? new InvalidOperationException($"{Describe()} belongs to {_loop} and cannot be awaited from a thread without a running loop. Use Aio.RunCoroutineThreadSafe (or wait for it on its loop).")
                : ThrowHelper.OtherLoop(Describe(), _loop, current);
        }
    }

    /// <summary>Throws the outcome of a future that is done but did not succeed; marks it retrieved.</summary>
    internal void ThrowIfNotSucceeded()
    {
        int state = _flags & StateMask;
        if (state == Succeeded)
        {
            _flags |= Retrieved;
            return;
        }

        _flags |= Retrieved;
        if (state == Failed)
        {
            ExceptionDispatchInfo.Throw((Exception)_outcome!);
        }

        if (state == Cancelled)
        {
            ExceptionDispatchInfo.Throw(CancellationForObserver());   // keeps where the task was interrupted
        }

        throw new InvalidStateError($"Result is not ready: {Describe()} is still pending. Await it instead of reading its result.");
    }

    /// <summary>The exception an observer of a cancelled future gets: the saved <see cref="CancelledError"/>.</summary>
    private protected Exception CancellationForObserver()
    {
        var saved = (CancelledError)_outcome!;
        if ((_flags & CancelledErrorTaken) == 0)
        {
            _flags |= CancelledErrorTaken;   // asyncio's _make_cancelled_error: the first observer gets the instance itself
            return saved;
        }

        return new CancelledError(saved.CancelMessage, saved);
    }

    /// <summary>The state as asyncio prints it: pending, finished or cancelled.</summary>
    internal string StateName => (_flags & StateMask) switch
    {
        Pending => "pending",
        Cancelled => "cancelled",
        _ => "finished",
    };

    internal abstract string Describe();

    AioFuture IAioAwaitable.ToFuture(EventLoop loop) => this;

    /// <summary>The result as an object (null when there is none); only once the future succeeded.</summary>
    internal abstract object? BoxedResult();

    /// <summary>Used by the loop when a task waits on this future: what to say about the wait (deadlock report).</summary>
    internal virtual string DescribeAsWait() => Describe();

    /// <summary>Any thread: a loop-thread check that asks the caller to hop to the loop.</summary>
    private protected void CheckLoopThread(string member) => _loop?.CheckThread(member);

    private sealed record UserCallbackRun(AioFuture Future, Action<AioFuture> Callback) : IScheduleGroup, IDescribedCallback
    {
        object IScheduleGroup.Group => Future;

        string IDescribedCallback.Describe() => EventLoop.DescribeDelegate(Callback).TrimEnd('(', ')') + "(" + Future.Describe() + ")";
    }

    internal sealed record InternalCallback(Action<object?> Callback, object? State);

    private sealed record CountedContinuation(Action Continuation);
}

/// <summary>Awaits an <see cref="AioFuture"/> for its completion only (loop-native in coroutines).</summary>
public readonly struct AioFutureAwaiter : System.Runtime.CompilerServices.ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly AioFuture _future;

    internal AioFutureAwaiter(AioFuture future) => _future = future;

    /// <summary>True once the future is done.</summary>
    public bool IsCompleted
    {
        get
        {
            _future.CheckAwaitLoop();
            return _future.IsDone;
        }
    }

    /// <summary>Rethrows the future's exception, or <see cref="CancelledError"/> if it was cancelled.</summary>
    public void GetResult()
    {
        AioTask.ThrowIfResumedWithError();
        _future.ThrowIfNotSucceeded();
    }

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => task.WaitOnFuture(_future);

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        _future.CheckThread("await (from plain .NET async code)");
        _future.AddContinuation(continuation);
    }
}

/// <summary>One done-callback registration; <see cref="User"/> is the delegate a user can remove.</summary>
internal readonly record struct DoneCallbackEntry(object Target, Delegate? User, ExecutionContext? Context);

/// <summary>More than one done-callback registration.</summary>
internal sealed class DoneCallbackList : List<DoneCallbackEntry>
{
}
