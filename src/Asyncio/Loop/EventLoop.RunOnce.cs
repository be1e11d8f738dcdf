using System.Diagnostics;

namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>
    /// Work the loop cannot see the end of but must wait for before jumping virtual time: ToThread/RunInExecutor items
    /// in flight (any thread increments, the loop thread decrements when the result is back).
    /// </summary>
    private int _offLoopWork;

    /// <summary>Coroutines suspended on a foreign awaitable (a .NET Task, say). Loop thread only.</summary>
    internal int _foreignAwaits;

    /// <summary>
    /// ToThread/RunInExecutor work that submitted a coroutine to this loop with <c>RunCoroutineThreadSafe</c> and gave up
    /// its hold on virtual time while the coroutine runs (it probably waits for it, but it may still be running). Like
    /// a foreign await: the loop gives it <see cref="VirtualClock.ForeignAwaitGrace"/> before a timer jump and never
    /// calls the loop deadlocked while it is there. Loop thread only.
    /// </summary>
    internal int _threadsAwaitingCoroutines;

    /// <summary>
    /// Continuations of plain .NET async code parked on loop-native waits (a loop timer, a future), and one-shot
    /// virtual-clock timers. Loop thread only. Each usually stands behind one foreign await: an <c>async Task</c>
    /// helper sleeping on the loop's clock is awaited by a coroutine as a foreign Task, and must not hold virtual
    /// time back. See <see cref="IsTimeHeldBack"/>.
    /// </summary>
    internal int _loopDrivenForeign;

    /// <summary>Set while <see cref="RunUntilComplete(AioFuture)"/> waits, so an idle virtual-time loop can report a deadlock.</summary>
    private AioFuture? _runUntil;

    /// <summary>Number of iterations run so far.</summary>
    internal long Iterations { get; private set; }

    /// <summary>The loop whose ToThread/RunInExecutor work the current (pool) thread is running, if any.</summary>
    [ThreadStatic]
    internal static EventLoop? t_offLoopWorkFor;

    internal void BeginOffLoopWork() => Interlocked.Increment(ref _offLoopWork);

    internal void EndOffLoopWork() => Interlocked.Decrement(ref _offLoopWork);

    /// <summary>
    /// True while work outside the loop may still post back, so a virtual clock must not jump: ToThread or executor
    /// items in flight, or more foreign awaits than loop-driven .NET continuations can account for.
    /// </summary>
    internal bool IsTimeHeldBack => Volatile.Read(ref _offLoopWork) > 0 || _foreignAwaits > _loopDrivenForeign;

    /// <summary>One iteration: take the inbox, wait (or jump virtual time), promote due timers, run what is ready now.</summary>
    private void RunOnce()
    {
        Iterations++;
        DrainInbox();
        _timers.PurgeIfMostlyStale();

        TimeSpan timeout = WaitTimeout(out long jumpTo);
        bool mayWait = timeout != TimeSpan.Zero;
        int events;
        if (!mayWait)
        {
            events = _selector.Select(TimeSpan.Zero);
        }
        else
        {
            TrimExcess();   // about to wait: a good moment to give memory back

            Interlocked.Exchange(ref _waiting, 1);
            if (!_inbox.IsEmpty)
            {
                timeout = TimeSpan.Zero;
            }

            _inWaitStep = true;   // idle, not stalled: the watchdog looks away
            events = _selector.Select(timeout);
            _inWaitStep = false;
            Volatile.Write(ref _waiting, 0);
        }

        if (jumpTo != NoJump && events == 0 && _inbox.IsEmpty && _ready.Count == 0)
        {
            _virtualClock!.AdvanceTo(jumpTo);   // the I/O grace passed quietly: now virtual time may jump
        }

        DrainInbox();
        PromoteDueTimers();

        // Run only this batch: callbacks it schedules wait for the next iteration.
        int n = _ready.Count;
        long sampleStart = (mayWait || (Iterations & MetricsSampleMask) == 0) && AsyncioMetrics.HistogramsEnabled ? Stopwatch.GetTimestamp() : 0;
        if (IsInstrumented)
        {
            RunInstrumentedBatch(n);
        }
        else if (_shuffle is not null && n > 1)
        {
            RunSeededBatch(n);
        }
        else
        {
            RunBatch(n);
        }

        if (sampleStart != 0)
        {
            RecordIterationSample(n, sampleStart);
        }

        if (n >= 4096 || (Iterations & 1023) == 0)
        {
            TrimExcess();   // after a large batch, or now and then: give back what a burst made the arrays grow to
        }
    }

    /// <summary>Gives back the memory of the loop's arrays after a burst; checked every 1024 iterations and when idle.</summary>
    private void TrimExcess()
    {
        _ready.TrimExcess();
        _timers.TrimExcess();
        TrimTaskRegistry();
    }

    private void RunBatch(int n)
    {
        for (; n > 0; n--)
        {
            _ready.Dequeue(out ReadyItem item, out long seq);
            Invoke(in item, seq);
        }
    }

    /// <summary>
    /// Seeded schedule: runs the batch in a random interleaving of its groups (each task, each future, and one group
    /// for all other callbacks) that keeps the order inside every group.
    /// </summary>
    private void RunSeededBatch(int n)
    {
        int[] order = SeededOrder(n);
        for (int k = 0; k < n; k++)
        {
            _ready.TakeAt(order[k], out ReadyItem item, out long seq);
            Invoke(in item, seq);
        }

        _ready.Skip(n);
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private void Invoke(in ReadyItem item, long seq)
    {
        if (item.Callback is not { } callback)
        {
            return;   // cancelled handle
        }

        if (item.Context is not null && ExecutionContext.Capture() != item.Context)
        {
            ExecutionContext.Restore(item.Context);   // a user callback runs in the context captured when it was queued
        }

        try
        {
            callback(item.State);
        }
        catch (Exception e)
        {
            // The handle is made only now: boxing it for every callback would cost 32 bytes each.
            object handle = ReferenceEquals(callback, s_runThreadSafeCall) && item.State is ThreadSafeCall call
                ? new Handle(call, 0)
                : new Handle(this, seq);
            ReportCallbackException(callback, item.State, e, handle);
        }
    }

    private const long NoJump = long.MinValue;

    /// <summary>
    /// How long the wait step may block. With a virtual clock it jumps time instead of waiting for a timer; with I/O
    /// registered it first gives the descriptors <see cref="VirtualClock.IoGrace"/> of real time, and
    /// <paramref name="jumpTo"/> says where to jump if nothing arrives meanwhile.
    /// </summary>
    private TimeSpan WaitTimeout(out long jumpTo)
    {
        jumpTo = NoJump;
        if (_ready.Count > 0 || _stopping || !_inbox.IsEmpty)
        {
            return TimeSpan.Zero;
        }

        bool hasTimer = _timers.TryPeekDue(out long due);
        if (_virtualClock is { } clock)
        {
            if (Volatile.Read(ref _offLoopWork) > 0)
            {
                return Timeout.InfiniteTimeSpan;   // wait, in real time, for the thread work to post back
            }

            if (_foreignAwaits > _loopDrivenForeign || _threadsAwaitingCoroutines > 0)
            {
                if (!hasTimer)
                {
                    return Timeout.InfiniteTimeSpan;   // only the foreign work can wake the loop
                }

                // A foreign await may be waiting for this very loop (a TaskCompletionSource a sleeping task completes):
                // give it ForeignAwaitGrace of real time, then let time jump.
                jumpTo = due;
                return clock.ForeignAwaitGrace;
            }

            bool ioWatched = _io is { WatchedCount: > 0 };   // epoll: registered descriptors; portable: operations waited on
            if (hasTimer)
            {
                if (ioWatched && due > clock.GetTimestamp())
                {
                    jumpTo = due;
                    return clock.IoGrace;
                }

                clock.AdvanceTo(due);
                return TimeSpan.Zero;
            }

            if (!ioWatched && _runUntil is { IsDone: false } target)
            {
                throw new DeadlockException(target, DescribePendingTasks(), Seed);
            }

            return Timeout.InfiniteTimeSpan;
        }

        if (!hasTimer)
        {
            return Timeout.InfiniteTimeSpan;
        }

        long delta = due - NowTicks;
        if (delta <= 0)
        {
            return TimeSpan.Zero;
        }

        // Capped at 24 hours, as asyncio's MAXIMUM_SELECT_TIMEOUT.
        double seconds = Math.Min((double)delta / _frequency, 86400);
        return TimeSpan.FromSeconds(seconds);
    }

    /// <summary>
    /// Calls posted with CallSoonThreadSafe before this CallSoon go first: one FIFO in call order, as asyncio's single
    /// ready deque. Callers of CallSoon own the ready queue (the loop's thread, or the one preparing a loop that is not
    /// running), so they may move the inbox into it.
    /// </summary>
    private void DrainInboxIfAny()
    {
        if (!_inbox.IsEmpty)
        {
            DrainInbox();
        }
    }

    private void DrainInbox()
    {
        while (_inbox.TryDequeue(out ThreadSafeCall? call))
        {
            _ready.Enqueue(s_runThreadSafeCall, call, call.Context);
        }
    }

    private void PromoteDueTimers()
    {
        if (_timers.Count == 0)
        {
            return;
        }

        long now = NowTicks;
        while (_timers.TryPopDue(now, out TimerEntry entry))
        {
            if (now - entry.Due > _maxLagTicks)
            {
                _maxLagTicks = now - entry.Due;   // how late the latest timer fired: the loop's lag
            }

            if (entry.Target is ITimerTarget target)
            {
                target.OnTimer(this, entry.Seq);
            }
            else
            {
                // A continuation of plain .NET async code sleeping on the loop clock.
                _loopDrivenForeign--;
                _ready.Enqueue(s_invokeAction, entry.Target, null);
            }
        }
    }

    private int[] SeededOrder(int n)
    {
        var groupIndex = new Dictionary<object, int>(ReferenceEqualityComparer.Instance);
        var members = new List<List<int>>();
        var labels = new int[n];
        object common = _ready;   // the group of callbacks that belong to no task or future
        for (int i = 0; i < n; i++)
        {
            object key = GroupOf(in _ready.PeekAt(i)) ?? common;
            if (!groupIndex.TryGetValue(key, out int g))
            {
                g = members.Count;
                groupIndex.Add(key, g);
                members.Add(new List<int>());
            }

            members[g].Add(i);
            labels[i] = g;
        }

        for (int i = n - 1; i > 0; i--)
        {
            int j = _shuffle!.Next(i + 1);
            (labels[i], labels[j]) = (labels[j], labels[i]);
        }

        var next = new int[members.Count];
        var order = new int[n];
        for (int k = 0; k < n; k++)
        {
            int g = labels[k];
            order[k] = members[g][next[g]++];
        }

        return order;
    }

    private static object? GroupOf(in ReadyItem item) => item.State switch
    {
        AioTask task => task,
        IScheduleGroup member => member.Group,
        _ => null,
    };

    /// <summary>Runs a user callback in the <see cref="ExecutionContext"/> captured when it was queued.</summary>
    internal void InvokeUserCallback(Action<object?> callback, object? state, ExecutionContext? context, object? handle)
    {
        if (context is not null && ExecutionContext.Capture() != context)
        {
            ExecutionContext.Restore(context);
        }

        try
        {
            callback(state);
        }
        catch (Exception e)
        {
            ReportCallbackException(callback, state, e, handle);
        }
    }

    private void ReportCallbackException(Action<object?> callback, object? state, Exception e, object? handle)
    {
        string what = DescribeCallback(callback, state);
        ReportLost(new LoopExceptionContext($"Exception in callback {what}")
        {
            Exception = e,
            Handle = handle,
        });
    }

    internal static string DescribeCallback(Action<object?> callback, object? state)
    {
        if (ReferenceEquals(callback, s_invokeAction) && state is Delegate d)
        {
            return DescribeDelegate(d);
        }

        if (state is IDescribedCallback described)
        {
            return described.Describe();
        }

        if (ReferenceEquals(callback, s_runThreadSafeCall) && state is ThreadSafeCall call)
        {
            return DescribeCallback(call.Callback, call.State);
        }

        return DescribeDelegate(callback);
    }

    /// <summary>"Program.Tick()"; compiler names of lambdas and local functions read as "Program.Main.&lt;lambda&gt;()", "Program.Local()".</summary>
    internal static string DescribeDelegate(Delegate d) => CoroutineNames.OfMethod(d.Method) + "()";
}

/// <summary>A ready-queue state object that can name the user callback it runs (for error reports).</summary>
internal interface IDescribedCallback
{
    string Describe();
}

/// <summary>A ready-queue state object that belongs to a task or a future, for the seeded schedule's grouping.</summary>
internal interface IScheduleGroup
{
    object Group { get; }
}
