using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.ExceptionServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>
/// A coroutine (or a plain .NET <c>async Task</c> function) scheduled to run on a loop (asyncio's <c>Task</c>). Hot:
/// it starts on the loop's next iteration (or at once with eager start) and runs step by step, one step between two
/// awaits. Await it for its outcome, or <see cref="Cancel"/> it.
/// </summary>
/// <remarks>
/// <para>
/// Cancellation is asyncio's: <see cref="Cancel"/> throws <see cref="CancelledError"/> at the task's current await
/// of a loop-native awaitable (a future, another task, <see cref="Aio.Sleep(double)"/>, a coroutine suspended on one).
/// C# cannot interrupt a direct <c>await</c> of a foreign <see cref="Task"/>: the compiler calls that awaiter's
/// <c>GetResult</c> itself. Two ways around it: wrap the foreign task with <see cref="Aio.WrapFuture{T}(Task{T})"/>,
/// which <c>Cancel</c> releases at once (leaving the foreign work running), or pass <see cref="CancellationToken"/>
/// to the foreign API. A cancel that arrives during a foreign await is delivered at the next loop-native await.
/// </para>
/// <para>Not thread-safe: use a task on its loop's thread.</para>
/// </remarks>
public abstract class AioTask : AioFuture, ITimerTarget
{
    private static int s_counter;

    /// <summary>Index in the loop's registry of pending tasks; -1 when not registered.</summary>
    internal int _slot = -1;

    /// <summary>
    /// What the task is suspended on (asyncio's <c>_fut_waiter</c>, widened): an <see cref="AioFuture"/>, a
    /// <see cref="WaitMarker"/>, or a <see cref="WaitQueue"/>; null while running or for a bare yield.
    /// </summary>
    internal object? _waiter;

    /// <summary>Token of the current timer or wait-queue entry; a stale entry carries another value.</summary>
    internal long _waitSeq;

    /// <summary>Task: the innermost suspended coroutine frame (null: the task itself). Nested frame: the frame awaiting it.</summary>
    internal AioTask? _link;

    /// <summary>The context copied at creation; updated after each step so the task's own AsyncLocal writes persist.</summary>
    internal ExecutionContext? _context;

    private TaskExtras? _extras;

    private protected AioTask()
    {
    }

    /// <summary>Assigns the task to <paramref name="loop"/>; called once when it becomes a task.</summary>
    internal void InitializeTask(EventLoop loop, string? name)
    {
        _loop = loop;
        if (name is not null)
        {
            Extras.Name = name;
        }

        _context = ExecutionContext.Capture();
    }

    private TaskExtras Extras => _extras ??= new TaskExtras();

    /// <summary>
    /// The task's name (asyncio's <c>get_name</c>/<c>set_name</c>); "Task-N" unless one was given, N from a
    /// process-wide counter (drawn when the name is first needed, which keeps a plain task 8 bytes smaller).
    /// </summary>
    public string Name
    {
        get => Extras.Name ??= $"Task-{Interlocked.Increment(ref s_counter)}";
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            Extras.Name = value;
        }
    }

    /// <summary>The coroutine (or delegate) the task runs, as a short description such as <c>Program.Main</c>.</summary>
    public abstract string CoroutineName { get; }

    /// <summary>The name if one was given or drawn already; never draws one (safe from another thread).</summary>
    internal string? NameIfAssigned => _extras?.Name;

    /// <summary>Debug mode: records where the task was created.</summary>
    internal void SetCreationStack(CreationStack stack) => Extras.CreationStack = stack;

    /// <summary>"Task created at:" and the stack, when debug mode recorded it; else null.</summary>
    internal string? CreationStackText() => _extras?.CreationStack is { } stack ? "Task created at:\n" + stack : null;

    /// <summary>
    /// The task as a report from another thread may show it: never draws a "Task-N" name (that would race with the
    /// loop thread) and reads only fields whose torn values are harmless.
    /// </summary>
    internal string DescribeForDiagnostics()
    {
        string name = _extras?.Name ?? $"Task@{System.Runtime.CompilerServices.RuntimeHelpers.GetHashCode(this):x8}";
        string state = (_flags & StateMask) switch
        {
            Pending => "pending",
            Succeeded => "finished",
            Failed => "finished with an exception",
            _ => "cancelled",
        };
        return $"<AioTask {state} name='{name}' coro={CoroutineName}>";
    }

    /// <summary>Where the task's innermost coroutine is suspended now, or null when that is not a coroutine.</summary>
    internal string? SuspendedAt()
    {
        AioTask frame = _link ?? this;
        return frame.StateMachineType is { } type ? EventLoop.DescribeSite(type, frame.StateMachineStateValue) : null;
    }

    /// <summary>A task running plain .NET async code: the boxed state machine of its async method, if it can be found.</summary>
    internal virtual object? DotNetStateMachine() => null;

    /// <summary>
    /// The task's coroutines, from the task's own (oldest) to the innermost one, which is suspended at an await or, for
    /// the current task, running (asyncio's <c>get_stack</c>). Each frame names the method and, with symbols, the line of
    /// the await. Empty once the task is done. For a plain .NET async function, its outermost method only.
    /// </summary>
    /// <param name="limit">At most this many frames, the innermost ones; null for all.</param>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is negative.</exception>
    public IReadOnlyList<CoroutineStackFrame> GetStack(int? limit = null)
    {
        if (limit is int l)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(l, nameof(limit));
        }

        CheckThread(nameof(GetStack));
        List<CoroutineStackFrame> frames = AwaitGraph.StackInnermostFirst(this, limit);
        frames.Reverse();
        return frames;
    }

    /// <summary>Writes the task and its stack (<see cref="GetStack"/>) to <paramref name="writer"/>, or standard error (asyncio's <c>print_stack</c>).</summary>
    public void PrintStack(TextWriter? writer = null, int? limit = null)
    {
        IReadOnlyList<CoroutineStackFrame> frames = GetStack(limit);
        writer ??= Console.Error;
        writer.WriteLine(frames.Count == 0 ? $"No stack for {this}" : $"Stack for {this} (most recent call last):");
        foreach (CoroutineStackFrame frame in frames)
        {
            writer.WriteLine($"   at {frame}");
        }
    }

    /// <summary>A coroutine frame: the compiler's state machine type of its method; null for other tasks.</summary>
    internal virtual Type? StateMachineType => null;

    /// <summary>A coroutine frame: the await its method is suspended at (see <see cref="StateMachineState{T}"/>).</summary>
    internal virtual int StateMachineStateValue => int.MinValue;

    /// <summary>The number of pending cancellation requests (asyncio's <c>cancelling()</c>).</summary>
    public int Cancelling() => _extras?.CancelRequests ?? 0;

    /// <summary>
    /// Requests cancellation (asyncio's <c>cancel(msg)</c>): the task gets <see cref="CancelledError"/> at its current
    /// loop-native await, or at the start of its first step if it has not started (it then never runs). Returns false
    /// if the task is already done; otherwise true, and every call counts in <see cref="Cancelling"/>.
    /// The task's <see cref="CancellationToken"/> fires too.
    /// </summary>
    public override bool Cancel(string? msg = null)
    {
        CheckThread(nameof(Cancel));
        _flags |= Retrieved;
        if (IsDone)
        {
            return false;
        }

        TaskExtras extras = Extras;   // cancellation is rare: its state lives in the extras
        extras.CancelRequests++;
        if (extras.CancelRequests == 1)
        {
            extras.TokenCancelMessage = msg;   // the cancel that fires the token (now, or when the token is made)
        }

        FireToken();
        if (IsDone)
        {
            return true;   // a token callback finished it
        }

        if (_waiter is not null && CancelWait(msg))
        {
            // Leave _waiter: it may be a task that swallows the cancellation and has to be cancelled again later.
            return true;
        }

        _flags |= MustCancel;
        extras.CancelMessage = msg;   // asyncio keeps _cancel_message for the pending cancel only
        return true;
    }

    /// <summary>
    /// Withdraws one cancellation request (asyncio's <c>uncancel()</c>) and returns how many remain. At zero a pending
    /// cancellation is dropped and a fresh <see cref="CancellationToken"/> is issued, so work after a handled
    /// cancellation is not cancelled at once.
    /// </summary>
    public int Uncancel()
    {
        CheckThread(nameof(Uncancel));
        if (_extras is { CancelRequests: > 0 } extras)
        {
            extras.CancelRequests--;
            if (extras.CancelRequests == 0)
            {
                _flags &= ~MustCancel;
                extras.RenewToken();
            }

            return extras.CancelRequests;
        }

        return 0;
    }

    /// <summary>
    /// A token that fires when the task is cancelled: pass it to foreign APIs (<c>HttpClient</c>, file I/O) that an
    /// await cannot interrupt. An <see cref="OperationCanceledException"/> carrying this token that ends the task
    /// counts as the task being cancelled. Renewed when <see cref="Uncancel"/> brings the count back to 0.
    /// </summary>
    public CancellationToken CancellationToken
    {
        get
        {
            var extras = Extras;
            if (extras.Cts is null)
            {
                extras.Cts = new CancellationTokenSource();
                if ((extras.CancelRequests > 0 && !IsDone) || IsCancelled)
                {
                    extras.Cts.Cancel();
                }
            }

            return extras.Cts.Token;
        }
    }

    /// <summary>The exception the task failed with, or null (asyncio's <c>exception()</c>); see <see cref="AioFuture.Exception"/>.</summary>
    public new Exception? Exception => base.Exception;

    /// <summary>Lets <c>await task</c> work for a task without a result.</summary>
    public new AioTaskAwaiter GetAwaiter() => new(this);

    // ------------------------------------------------------------------ the step

    internal static readonly Action<object?> StepCallback = static s => ((AioTask)s!).Step();

    /// <summary>A future this task waited on is done (asyncio's <c>__wakeup</c>).</summary>
    internal static readonly Action<object?> WakeupCallback = static s => ((AioTask)s!).Step();

    /// <summary>
    /// Runs one step (asyncio's <c>__step</c>): resumes the innermost suspended coroutine until it suspends again or
    /// the task's coroutine finishes. Only the loop thread, from the ready queue (or inline for eager start).
    /// </summary>
    internal void Step()
    {
        EventLoop loop = _loop!;
        if (IsDone)
        {
            Debug.Fail($"Step of a task that is done: {this}");
            return;
        }

        int flags = _flags;
        object? waiter = _waiter;
        _waiter = null;
        if (_extras is { WaitRegistration: var registration } extras && registration != default)
        {
            extras.WaitRegistration = default;
            registration.Dispose();
        }

        bool foreignResume = ReferenceEquals(waiter, WaitMarker.Foreign);
        if (foreignResume)
        {
            loop._foreignAwaits--;
        }

        bool injectCancel = (flags & ResumeCancelled) != 0;
        _flags &= ~ResumeCancelled;
        if ((flags & MustCancel) != 0 && (injectCancel || waiter is AioFuture { IsCancelled: true }))
        {
            // The wake-up already carries a cancellation (the awaited future was cancelled, or the wait was ended by a
            // cancel): asyncio keeps that CancelledError and its message, and the pending cancel is spent with it.
            _flags &= ~MustCancel;
        }
        else if ((flags & MustCancel) != 0)
        {
            if ((flags & Started) == 0)
            {
                // Cancelled before its first step: the coroutine never runs.
                _flags &= ~MustCancel;
                FinishCancelled(null);
                return;
            }

            if (!foreignResume)
            {
                _flags &= ~MustCancel;
                injectCancel = true;
            }
            else if (_extras is { CancelDeliveredByToken: true })
            {
                // The foreign await ended because of this cancel (the library's own awaitable watched the task's token
                // and threw CancelledError): the cancel is delivered; asyncio delivers one CancelledError per cancel.
                _flags &= ~MustCancel;
            }

            // Otherwise, after a foreign await the cancel waits for the next loop-native await (see the remarks on AioTask).
        }

        if (_extras is { CancelDeliveredByToken: true } delivered)
        {
            delivered.CancelDeliveredByToken = false;
        }

        if (_extras is { ResumeGuard: { } guard } guarded)
        {
            // A frameless waiter re-checks its condition before the coroutine runs, and parks again if it still fails.
            guarded.ResumeGuard = null;
            if ((flags & WokenFromQueue) != 0 && !injectCancel && guarded.ResumeError is null && guard.TryRepark(this, guarded.GuardToken))
            {
                return;
            }
        }

        _flags |= Started;
        AioTask? previousTask = loop._currentTask;
        loop._currentTask = this;
        SynchronizationContext? previousSync = SynchronizationContext.Current;
        if (!ReferenceEquals(previousSync, loop.LoopContext))
        {
            SynchronizationContext.SetSynchronizationContext(loop.LoopContext);   // current during every step
        }

        ExecutionContext? previousContext = ExecutionContext.Capture();
        if (_context is { } ctx && !ReferenceEquals(ctx, previousContext))
        {
            ExecutionContext.Restore(ctx);
        }

        if (injectCancel)
        {
            loop._resumeError = MakeCancelledError(_extras?.WakeCancelMessage ?? _extras?.CancelMessage);
        }
        else if (_extras?.TakeResumeError() is { } error)
        {
            loop._resumeError = error;
        }

        try
        {
            RunStep();
        }
        catch (Exception e)
        {
            // The coroutine machinery itself failed: end the task with the error rather than lose it.
            MarkFrameFailed(e);
        }
        finally
        {
            loop._resumeError = null;
            loop._currentTask = previousTask;
            ExecutionContext? after = ExecutionContext.Capture();
            if (_context is not null)
            {
                _context = after;
            }

            if (previousContext is not null && !ReferenceEquals(after, previousContext))
            {
                ExecutionContext.Restore(previousContext);
            }

            if (!ReferenceEquals(SynchronizationContext.Current, previousSync))
            {
                SynchronizationContext.SetSynchronizationContext(previousSync);
            }
        }

        AfterStep();
    }

    /// <summary>True for tasks that run plain .NET async code, whose continuations keep running as the task.</summary>
    internal virtual bool RunsDotNetCode => false;

    /// <summary>Resumes this coroutine frame's state machine (coroutine frames only).</summary>
    internal virtual void MoveNextFrame() => throw new InvalidOperationException($"{this} is not a coroutine frame.");

    /// <summary>After a step that suspended: a cancel that arrived during the step cancels the new wait (asyncio's rule).</summary>
    private protected void CancelWaitIfMustCancel()
    {
        if ((_flags & MustCancel) != 0 && _waiter is not null && CancelWait(_extras?.CancelMessage))
        {
            _flags &= ~MustCancel;
        }
    }

    /// <summary>Runs the coroutine part of a step; the loop's current task and context are set.</summary>
    private protected abstract void RunStep();

    /// <summary>Records, on the root frame, that the coroutine failed outside its own code.</summary>
    private protected abstract void MarkFrameFailed(Exception e);

    /// <summary>After a step: finish the task if its coroutine finished, else honour a cancel that arrived meanwhile.</summary>
    private protected abstract void AfterStep();

    /// <summary>What the root coroutine's end means for the task, by asyncio's rules.</summary>
    private protected void FinishFromCoroutine(bool succeeded, Exception? error)
    {
        if (succeeded)
        {
            if ((_flags & MustCancel) != 0)
            {
                // Cancelled right before the coroutine returned: the task ends cancelled (asyncio does the same).
                _flags &= ~MustCancel;
                FinishCancelled(null);
                return;
            }

            FinishSucceeded();
            return;
        }

        Debug.Assert(error is not null);
        if (error is CancelledError cancelled)
        {
            FinishCancelled(cancelled);
        }
        else if (error is OperationCanceledException oce && _extras?.IsOwnToken(oce.CancellationToken) == true)
        {
            FinishCancelled(new CancelledError(_extras?.TokenCancelMessage, oce));
        }
        else
        {
            FinishFailed(error);
        }
    }

    /// <summary>Completes the task successfully; its result is already stored by the subclass.</summary>
    private protected void FinishSucceeded()
    {
        ReleaseForCompletion();
        CompleteWith(Succeeded, null);
    }

    private protected void FinishFailed(Exception error)
    {
        _loop!._statTasksFailed++;
        ReleaseForCompletion();
        CompleteWith(Failed, error);
    }

    private protected void FinishCancelled(CancelledError? error)
    {
        _loop!._statTasksCancelled++;
        ReleaseForCompletion();
        CompleteWith(Cancelled, error ?? MakeCancelledError());
    }

    private void ReleaseForCompletion()
    {
        _loop!.UnregisterTask(this);
        _waiter = null;
        _link = null;
    }

    /// <summary>
    /// True if <paramref name="error"/> is this task being cancelled: a <see cref="CancelledError"/>, or an
    /// <see cref="OperationCanceledException"/> carrying the task's own token.
    /// </summary>
    internal bool IsOwnCancellation(Exception error) =>
        error is CancelledError || (error is OperationCanceledException oce && _extras?.IsOwnToken(oce.CancellationToken) == true);

    /// <summary>
    /// Called by the library's own foreign awaitables (the queue enumerator behind <c>await foreach</c>) that watched this
    /// task's token and ended the wait with CancelledError: that error delivers the pending cancel.
    /// </summary>
    internal void NoteCancelDeliveredByToken()
    {
        if (_extras is { } extras)
        {
            extras.CancelDeliveredByToken = true;
        }
    }

    /// <summary>A CancelledError carrying the last cancel message and, if one was issued, the task's token.</summary>
    internal CancelledError MakeCancelledError() => MakeCancelledError(_extras?.CancelMessage);

    private CancelledError MakeCancelledError(string? msg) =>
        _extras?.Cts is { } cts ? new CancelledError(msg, cts.Token) : new CancelledError(msg);

    private void FireToken()
    {
        if (_extras?.Cts is { IsCancellationRequested: false } cts)
        {
            try
            {
                cts.Cancel();
            }
            catch (Exception e)
            {
                _loop!.CallExceptionHandler(new LoopExceptionContext($"Exception in a callback registered on the CancellationToken of {this}")
                {
                    Exception = e,
                    Task = this,
                });
            }
        }
    }

    // ------------------------------------------------------------------ waits

    /// <summary>
    /// Stops the current loop-native wait because of a cancel, so the task resumes with <see cref="CancelledError"/>;
    /// false when the wait cannot be interrupted (a foreign await, a wake-up already queued).
    /// </summary>
    private bool CancelWait(string? msg)
    {
        switch (_waiter)
        {
            case AioFuture future:
                return future.Cancel(msg);
            case WaitMarker marker when marker.CanBeCancelled:
                if (ReferenceEquals(marker, WaitMarker.Sleep))
                {
                    _loop!.NoteTimerCancelled();
                }

                WakeCancelled(msg);
                return true;
            case WaitQueue queue:
                queue.Abandon();
                WakeCancelled(msg);
                return true;
            default:
                return false;
        }
    }

    /// <summary>Ends a loop-native wait early: the task resumes next iteration and its await throws CancelledError.</summary>
    private void WakeCancelled(string? msg)
    {
        Extras.WakeCancelMessage = msg;   // like a cancelled sleep future, the wake-up carries the first message
        _waiter = WaitMarker.Woken;
        _waitSeq = 0;
        _flags |= ResumeCancelled;
        _loop!.EnqueueReady(StepCallback, this);
    }

    /// <summary>Suspends the running step on <paramref name="future"/>; called by awaiters on the loop thread.</summary>
    internal void WaitOnFuture(AioFuture future)
    {
        if (ReferenceEquals(future, this))
        {
            ResumeWithError(new InvalidOperationException($"Task cannot await on itself: {this}."));
            return;
        }

        if (!ReferenceEquals(future._loop, _loop))
        {
            ResumeWithError(ThrowHelper.OtherLoop(future.Describe(), future._loop!, _loop!));
            return;
        }

        if (future.IsDone)
        {
            // Done between IsCompleted and now (a done-callback ran inline): resume next iteration, as asyncio does.
            _waiter = WaitMarker.Woken;
            _loop!.EnqueueReady(StepCallback, this);
            return;
        }

        _waiter = future;
        future.AddTaskWaiter(this);
    }

    /// <summary>Suspends the running step until the next iteration (a bare yield: <c>Aio.Sleep(0)</c>).</summary>
    internal void Yield()
    {
        _waiter = null;
        _loop!.EnqueueReady(StepCallback, this);
    }

    /// <summary>Suspends the running step until the loop clock reaches <paramref name="dueTicks"/>.</summary>
    internal void SleepUntil(long dueTicks)
    {
        _waiter = WaitMarker.Sleep;
        _waitSeq = _loop!.AddTimer(dueTicks, this);
    }

    /// <summary>Suspends the running step until cancelled.</summary>
    internal void SleepForever()
    {
        _waiter = WaitMarker.Forever;
    }

    /// <summary>Suspends the running step in <paramref name="queue"/> under <paramref name="seq"/>.</summary>
    internal void ParkIn(WaitQueue queue, long seq)
    {
        _waiter = queue;
        _waitSeq = seq;
    }

    /// <summary>Wakes a task parked in a wait queue (or sleeping): it resumes on the next iteration.</summary>
    internal void WakeFromWait()
    {
        _waiter = WaitMarker.Woken;
        _waitSeq = 0;
        _loop!.EnqueueReady(StepCallback, this);
    }

    /// <summary>Suspends the running step on a foreign awaiter; its completion posts the next step.</summary>
    internal void WaitOnForeign<TAwaiter>(ref TAwaiter awaiter)
        where TAwaiter : INotifyCompletion
    {
        _waiter = WaitMarker.Foreign;
        _loop!._foreignAwaits++;
        Action resume = Extras.ForeignResume ??= ResumeFromForeign;
        if (awaiter is ICriticalNotifyCompletion critical)
        {
            critical.UnsafeOnCompleted(resume);
        }
        else
        {
            awaiter.OnCompleted(resume);
        }
    }

    /// <summary>
    /// Any thread: the foreign work this task awaited finished. Resume through the ready queue, never inline, so a
    /// step resumed off the loop (ConfigureAwait(false), a thread-pool completion) moves back onto it.
    /// </summary>
    private void ResumeFromForeign()
    {
        EventLoop loop = _loop!;
        if (!loop.TryPost(StepCallback, this))
        {
            loop.DefaultExceptionHandler(new LoopExceptionContext(
                $"{this} was awaiting work outside the loop that finished after the loop closed; the task cannot resume.")
            {
                Task = this,
            });
        }
    }

    /// <summary>Remembers the token registration of the current wait; it is disposed when the task resumes.</summary>
    internal void SetWaitRegistration(CancellationTokenRegistration registration) => Extras.WaitRegistration = registration;

    /// <summary>
    /// Asks <paramref name="guard"/> before the task resumes from its current wait-queue park (see <see cref="IResumeGuard"/>);
    /// <paramref name="token"/> is the wait's token, for parking again. Cleared at the next step.
    /// </summary>
    internal void SetResumeGuard(IResumeGuard guard, CancellationToken token)
    {
        TaskExtras extras = Extras;
        extras.ResumeGuard = guard;
        extras.GuardToken = token;
    }

    /// <summary>Makes the next resume throw <paramref name="error"/> (asyncio throws such errors into the coroutine).</summary>
    internal void ResumeWithError(Exception error)
    {
        Extras.ResumeError = error;
        _waiter = WaitMarker.Woken;
        _loop!.EnqueueReady(StepCallback, this);
    }

    /// <summary>
    /// Called first by every loop-native awaiter's GetResult: throws the CancelledError (or other error) the task was
    /// resumed with.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal static void ThrowIfResumedWithError()
    {
        EventLoop? loop = EventLoop.Current;
        if (loop?._resumeError is { } error)
        {
            loop._resumeError = null;
            ExceptionDispatchInfo.Throw(error);
        }
    }

    // ------------------------------------------------------------------ timers

    /// <summary>Is the timer entry <paramref name="seq"/> still this task's current sleep?</summary>
    bool ITimerTarget.IsTimerLive(long seq) => ReferenceEquals(_waiter, WaitMarker.Sleep) && _waitSeq == seq;

    /// <summary>
    /// The sleep timer fired: like CPython, where the timer sets the sleep future's result and the future then
    /// schedules the task's wake-up, the step runs one hop later.
    /// </summary>
    void ITimerTarget.OnTimer(EventLoop loop, long seq)
    {
        _waiter = WaitMarker.TimerFired;
        loop.EnqueueReady(s_sleepFired, this);
    }

    private static readonly Action<object?> s_sleepFired = static s =>
    {
        var task = (AioTask)s!;
        if (ReferenceEquals(task._waiter, WaitMarker.TimerFired))
        {
            task.WakeFromWait();
        }
    };

    // ------------------------------------------------------------------ description

    /// <summary>What the task is waiting for, in words (for deadlock reports and introspection).</summary>
    internal string DescribeWait() => _waiter switch
    {
        null => (_flags & Started) == 0 ? "not started yet" : "ready to run",
        AioFuture f => $"awaits {f.DescribeAsWait()}",
        WaitQueue q => q.DescribeWaiter(),
        WaitMarker m when ReferenceEquals(m, WaitMarker.Sleep) => $"sleeps until t={DescribeSleepDue()}",
        WaitMarker m => m.Description,
        _ => "unknown",
    };

    private string DescribeSleepDue()
    {
        foreach (var entry in _loop!.TimerEntries())
        {
            if (ReferenceEquals(entry.Target, this) && entry.Seq == _waitSeq)
            {
                return _loop.TicksToSeconds(entry.Due).ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return "?";
    }

    internal override string Describe() => $"<AioTask {StateName} name='{Name}' coro={CoroutineName}>";

    internal override string DescribeAsWait() => $"task '{Name}' ({CoroutineName})";

    /// <inheritdoc/>
    public override string ToString() => (_flags & StateMask) switch
    {
        Pending when Cancelling() > 0 => $"<AioTask cancelling name='{Name}' coro={CoroutineName} {DescribeWait()}>",
        Pending => $"<AioTask pending name='{Name}' coro={CoroutineName} {DescribeWait()}>",
        Failed => $"<AioTask finished name='{Name}' coro={CoroutineName} exception={((Exception)_outcome!).GetType().Name}: {((Exception)_outcome!).Message}>",
        _ => Describe(),
    };

    /// <summary>Rarely used per-task state, allocated on first use so that a plain sleeping task stays small.</summary>
    private sealed class TaskExtras
    {
        public string? Name;
        public int CancelRequests;   // asyncio's _num_cancels_requested
        public string? CancelMessage;
        public string? WakeCancelMessage;
        public string? TokenCancelMessage;
        public CancellationTokenSource? Cts;
        public CancellationToken PreviousToken;
        public Action? ForeignResume;
        public Exception? ResumeError;
        public CancellationTokenRegistration WaitRegistration;
        public IResumeGuard? ResumeGuard;     // a frameless queue waiter's re-check, for the current park only
        public CancellationToken GuardToken;  // that wait's token
        public bool CancelDeliveredByToken;
        public CreationStack? CreationStack;   // debug mode

        public Exception? TakeResumeError()
        {
            Exception? e = ResumeError;
            ResumeError = null;
            return e;
        }

        public void RenewToken()
        {
            if (Cts is { IsCancellationRequested: true } cts)
            {
                PreviousToken = cts.Token;
                Cts = null;
            }
        }

        public bool IsOwnToken(CancellationToken token) =>
            token.CanBeCanceled && ((Cts is { } cts && cts.Token == token) || PreviousToken == token);
    }
}

/// <summary>The kinds of loop-native waits that are not a future or a wait queue.</summary>
internal sealed class WaitMarker
{
    public static readonly WaitMarker Sleep = new("sleeps", cancellable: true);
    public static readonly WaitMarker Forever = new("sleeps until cancelled", cancellable: true);
    public static readonly WaitMarker TimerFired = new("sleep ended, wake-up queued", cancellable: false);
    public static readonly WaitMarker Woken = new("woken, ready to run", cancellable: false);
    public static readonly WaitMarker Foreign = new("awaits work outside the loop (a foreign awaitable)", cancellable: false);

    private WaitMarker(string description, bool cancellable)
    {
        Description = description;
        CanBeCancelled = cancellable;
    }

    public string Description { get; }

    public bool CanBeCancelled { get; }
}

/// <summary>Awaits an <see cref="AioTask"/> without a result.</summary>
public readonly struct AioTaskAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly AioTask _task;

    internal AioTaskAwaiter(AioTask task) => _task = task;

    /// <summary>True once the task is done.</summary>
    public bool IsCompleted
    {
        get
        {
            _task.CheckAwaitLoop();
            return _task.IsDone;
        }
    }

    /// <summary>Rethrows the task's exception, or <see cref="CancelledError"/> if it was cancelled.</summary>
    public void GetResult()
    {
        AioTask.ThrowIfResumedWithError();
        _task.ThrowIfNotSucceeded();
    }

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => task.WaitOnFuture(_task);

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        _task.CheckThread("await (from plain .NET async code)");
        _task.AddContinuation(continuation);
    }
}
