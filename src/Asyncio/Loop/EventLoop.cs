using System.Collections.Concurrent;
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A single-threaded event loop (asyncio's <c>BaseEventLoop</c>): a FIFO ready queue, a timer heap, an inbox for
/// other threads, and the wait step. Tasks, futures and timers are bound to one loop; only
/// <see cref="CallSoonThreadSafe(Action)"/> may be called from other threads while it runs.
/// </summary>
/// <remarks>
/// Most programs never touch the loop directly: <see cref="Aio.Run{T}(Func{Coroutine{T}}, LoopOptions?)"/> creates one,
/// runs the main coroutine on it and closes it.
/// </remarks>
public sealed partial class EventLoop : IDisposable
{
    [ThreadStatic]
    private static EventLoop? t_running;

    /// <summary>Callbacks for the next iteration. Loop thread only.</summary>
    private readonly ReadyQueue _ready = new();

    /// <summary>Scheduled timers. Loop thread only.</summary>
    private readonly TimerHeap _timers = new();

    /// <summary>Any thread. The poster then wakes the selector; <see cref="DrainInbox"/> empties it.</summary>
    private readonly ConcurrentQueue<ThreadSafeCall> _inbox = new();

    /// <summary>
    /// The wait step. A plain wake-up selector until the first I/O registration swaps in the reactor (see
    /// <see cref="Io"/>); the swap happens on the loop thread between waits, and the inbox protocol
    /// (<see cref="_waiting"/>) keeps a poster that still wakes the old one from being lost.
    /// </summary>
    private ISelector _selector;

    /// <summary>The first selector, kept until Close so that a late Wakeup on it never hits a disposed object.</summary>
    private readonly WakeupSelector _initialSelector;
    private readonly TimeProvider _clock;
    private readonly VirtualClock? _virtualClock;
    private readonly long _frequency;
    private readonly Random? _shuffle;
    private readonly LoopSynchronizationContext _syncContext;
    private readonly LoopTaskScheduler _taskScheduler;

    /// <summary>Managed id of the thread running the loop; 0 while it is not running.</summary>
    private int _ownerThread;

    /// <summary>Set (with a full fence) just before the selector blocks; posters wake the selector only then.</summary>
    private int _waiting;

    private bool _stopping;
    private bool _closed;

    /// <summary>
    /// Creates a loop. Nothing runs until <see cref="RunForever"/> or <see cref="RunUntilComplete{T}(Coroutine{T})"/>.
    /// </summary>
    public EventLoop(LoopOptions? options = null)
    {
        Options = options ?? new LoopOptions();
        Options.Validate();
        _clock = Options.Clock ?? TimeProvider.System;
        _frequency = _clock.TimestampFrequency;
        if (_frequency <= 0)
        {
            throw new ArgumentException($"The clock {_clock.GetType().Name} reports a timestamp frequency of {_frequency}; it must be positive.", nameof(options));
        }

        if (_clock is VirtualClock vc)
        {
            vc.Attach(this);
            _virtualClock = vc;
        }

        Seed = Options.EffectiveSeed();
        if (Seed is int seed)
        {
            _shuffle = new Random(seed);
        }

        Debug = Options.EffectiveDebug();
        _slowCallbackDuration = Options.SlowCallbackDuration;
        _stallThreshold = Options.EffectiveStallThreshold();
        _initialSelector = new WakeupSelector();
        _selector = _initialSelector;
        _syncContext = new LoopSynchronizationContext(this);
        _taskScheduler = new LoopTaskScheduler(this);
        AsyncioMetrics.Register(this);
        if (Options.EffectiveInspection())
        {
            _taskBirths = new ConditionalWeakTable<AioTask, StrongBox<long>>();
            InspectionServer.Register(this);
        }
    }

    /// <summary>The options this loop was created with.</summary>
    public LoopOptions Options { get; }

    /// <summary>The loop's clock (system time, or a <see cref="VirtualClock"/>). Pass it to <c>Task.Delay(d, loop.Clock)</c>.</summary>
    public TimeProvider Clock => _clock;

    /// <summary>The seed of the seeded schedule, or null when steps run FIFO. A failing seeded run should report it.</summary>
    public int? Seed { get; }

    /// <summary>True while <see cref="RunForever"/> (or <c>RunUntilComplete</c>) is executing.</summary>
    public bool IsRunning => Volatile.Read(ref _ownerThread) != 0;

    /// <summary>True once <see cref="Close"/> has been called.</summary>
    public bool IsClosed => _closed;

    /// <summary>The <see cref="SynchronizationContext"/> that is current during every step on this loop.</summary>
    public SynchronizationContext SynchronizationContext => _syncContext;

    internal LoopSynchronizationContext LoopContext => _syncContext;

    /// <summary>A <see cref="System.Threading.Tasks.TaskScheduler"/> that runs tasks on this loop's thread.</summary>
    public TaskScheduler TaskScheduler => _taskScheduler;

    /// <summary>The loop running on the calling thread, or null.</summary>
    public static EventLoop? Current => t_running;

    /// <summary>The loop running on the calling thread (asyncio's <c>get_running_loop()</c>).</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static EventLoop GetRunningLoop() => t_running ?? throw ThrowHelper.NoRunningLoop("EventLoop.GetRunningLoop");

    /// <summary>The loop's current time in seconds (asyncio's <c>loop.time()</c>): monotonic, or virtual.</summary>
    public double Time() => TicksToSeconds(NowTicks);

    internal long NowTicks => _clock.GetTimestamp();

    internal long Frequency => _frequency;

    internal double TicksToSeconds(long ticks) => (double)ticks / _frequency;

    /// <summary>Converts a delay to clock ticks, rounding to the nearest tick and saturating far-off values.</summary>
    internal long SecondsToTicks(double seconds)
    {
        System.Diagnostics.Debug.Assert(!double.IsNaN(seconds));
        double ticks = Math.Round(seconds * _frequency);
        return ticks >= FarFutureTicks ? FarFutureTicks : ticks <= -FarFutureTicks ? -FarFutureTicks : (long)ticks;
    }

    /// <summary>Deadlines this far off are treated as never (about 146 years at 1 GHz).</summary>
    internal const long FarFutureTicks = long.MaxValue / 2;

    // ------------------------------------------------------------------ scheduling

    /// <summary>
    /// Queues <paramref name="callback"/> to run on the next iteration, after the callbacks already queued (FIFO).
    /// Runs in the <see cref="ExecutionContext"/> current at this call. Loop thread only; allocates nothing.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public Handle CallSoon(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckCallable(nameof(CallSoon));
        DrainInboxIfAny();
        return new Handle(this, _ready.Enqueue(s_invokeAction, callback, ExecutionContext.Capture()));
    }

    /// <summary>
    /// Queues <paramref name="callback"/>(<paramref name="state"/>) to run on the next iteration (FIFO). With a static
    /// lambda this allocates nothing. Loop thread only.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public Handle CallSoon(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        CheckCallable(nameof(CallSoon));
        DrainInboxIfAny();
        return new Handle(this, _ready.Enqueue(callback, state, ExecutionContext.Capture()));
    }

    /// <summary>
    /// Queues <paramref name="callback"/> from any thread and wakes the loop if it is waiting. The only scheduling
    /// method that is safe to call from another thread.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public Handle CallSoonThreadSafe(Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return PostThreadSafe(s_invokeAction, callback, ExecutionContext.Capture());
    }

    /// <summary>Queues <paramref name="callback"/>(<paramref name="state"/>) from any thread; see <see cref="CallSoonThreadSafe(Action)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed.</exception>
    public Handle CallSoonThreadSafe(Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return PostThreadSafe(callback, state, ExecutionContext.Capture());
    }

    /// <summary>
    /// Schedules <paramref name="callback"/> to run <paramref name="delaySeconds"/> seconds from now (asyncio's
    /// <c>call_later</c>). Zero and negative delays run on the next iteration, in deadline order. Loop thread only.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delaySeconds"/> is NaN.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public TimerHandle CallLater(double delaySeconds, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ScheduleTimer(nameof(CallLater), NowTicksForDelay(delaySeconds), s_invokeAction, callback);
    }

    /// <summary>Schedules <paramref name="callback"/>(<paramref name="state"/>) after <paramref name="delaySeconds"/> seconds.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delaySeconds"/> is NaN.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public TimerHandle CallLater(double delaySeconds, Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ScheduleTimer(nameof(CallLater), NowTicksForDelay(delaySeconds), callback, state);
    }

    /// <summary>Schedules <paramref name="callback"/> after <paramref name="delay"/>; see <see cref="CallLater(double, Action)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public TimerHandle CallLater(TimeSpan delay, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        double seconds = delay == Timeout.InfiniteTimeSpan ? double.PositiveInfinity : delay.TotalSeconds;
        return ScheduleTimer(nameof(CallLater), NowTicksForDelay(seconds), s_invokeAction, callback);
    }

    /// <summary>
    /// Schedules <paramref name="callback"/> at loop time <paramref name="when"/> (seconds, as <see cref="Time"/>;
    /// asyncio's <c>call_at</c>). Timers due at the same instant run in the order they were scheduled.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="when"/> is NaN.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public TimerHandle CallAt(double when, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ScheduleTimer(nameof(CallAt), AbsoluteTicks(when, nameof(when)), s_invokeAction, callback);
    }

    /// <summary>Schedules <paramref name="callback"/>(<paramref name="state"/>) at loop time <paramref name="when"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="when"/> is NaN.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or this is not the loop's thread.</exception>
    public TimerHandle CallAt(double when, Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return ScheduleTimer(nameof(CallAt), AbsoluteTicks(when, nameof(when)), callback, state);
    }

    private long NowTicksForDelay(double delaySeconds)
    {
        if (double.IsNaN(delaySeconds))
        {
            throw new ArgumentOutOfRangeException(nameof(delaySeconds), "The delay is NaN; give a number of seconds (zero or negative run on the next iteration).");
        }

        long now = NowTicks;
        if (delaySeconds < 0)
        {
            // Negative delays are due at once but keep their deadline order, as asyncio's call_at(now + delay).
            return now - SecondsToTicks(Math.Min(-delaySeconds, FarFutureTicks / (double)_frequency));
        }

        long delta = SecondsToTicks(delaySeconds);
        return delta >= FarFutureTicks - now ? FarFutureTicks : now + delta;
    }

    private long AbsoluteTicks(double when, string paramName)
    {
        if (double.IsNaN(when))
        {
            throw new ArgumentOutOfRangeException(paramName, "The deadline is NaN; give a loop time in seconds, as returned by loop.Time().");
        }

        double bound = FarFutureTicks / (double)_frequency;
        return when < 0 ? -SecondsToTicks(Math.Min(-when, bound)) : SecondsToTicks(when);
    }

    private TimerHandle ScheduleTimer(string member, long due, Action<object?> callback, object? state)
    {
        CheckCallable(member);
        var handle = new TimerHandle(this, due, callback, state, ExecutionContext.Capture());
        handle.Register(_timers.Push(due, handle));
        return handle;
    }

    internal void NoteTimerCancelled() => _timers.NoteStale();

    /// <summary>Pushes an internal timer. Loop thread only.</summary>
    internal long AddTimer(long due, object target) => _timers.Push(due, target);

    internal bool CancelReady(long seq)
    {
        CheckThread(nameof(Handle.Cancel));
        return _ready.Cancel(seq);
    }

    internal bool IsReadyPending(long seq) => _ready.IsPending(seq);

    /// <summary>Queues an internal callback. Loop thread only; no checks (the hot path of task steps).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void EnqueueReady(Action<object?> callback, object? state, ExecutionContext? context = null)
        => _ready.Enqueue(callback, state, context);

    /// <summary>Queues an internal callback from any thread: straight onto the ready queue on the loop thread, else through the inbox.</summary>
    internal void Post(Action<object?> callback, object? state)
    {
        if (Environment.CurrentManagedThreadId == _ownerThread)
        {
            _ready.Enqueue(callback, state, null);
        }
        else
        {
            PostThreadSafe(callback, state, null);
        }
    }

    private Handle PostThreadSafe(Action<object?> callback, object? state, ExecutionContext? context)
    {
        if (_closed)
        {
            throw ThrowHelper.LoopClosed(nameof(CallSoonThreadSafe));
        }

        var call = new ThreadSafeCall(callback, state, context);
        if (Environment.CurrentManagedThreadId == _ownerThread)
        {
            // On the loop thread: straight onto the ready queue, so it keeps its FIFO place among CallSoon callbacks.
            DrainInboxIfAny();
            _ready.Enqueue(s_runThreadSafeCall, call, context);
            return new Handle(call, 0);
        }

        _inbox.Enqueue(call);
        if (Volatile.Read(ref _waiting) != 0)
        {
            _selector.Wakeup();
        }

        return new Handle(call, 0);
    }

    private static readonly Action<object?> s_invokeAction = static s => ((Action)s!)();
    private static readonly Action<object?> s_runThreadSafeCall = static s =>
    {
        var call = (ThreadSafeCall)s!;
        if (call.TryTake())
        {
            call.Callback(call.State);
        }
    };

    internal static Action<object?> InvokeActionCallback => s_invokeAction;

    // ------------------------------------------------------------------ checks

    /// <summary>Refuses calls on a closed loop and calls from a thread other than the running loop's.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckCallable(string member)
    {
        if (_closed)
        {
            throw ThrowHelper.LoopClosed(member);
        }

        CheckThread(member);
    }

    /// <summary>
    /// The cheap wrong-thread check, on in release builds too (asyncio only checks in debug mode).
    /// While the loop is not running any thread may prepare work for it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void CheckThread(string member)
    {
        int owner = _ownerThread;
        if (owner != 0 && owner != Environment.CurrentManagedThreadId)
        {
            throw ThrowHelper.WrongThread(member, owner);
        }
    }

    internal void CheckNotClosed(string member)
    {
        if (_closed)
        {
            throw ThrowHelper.LoopClosed(member);
        }
    }

    // ------------------------------------------------------------------ run / stop / close

    /// <summary>
    /// Runs iterations until <see cref="Stop"/> is called (asyncio's <c>run_forever</c>). The iteration in which
    /// <c>Stop</c> is called still completes; <c>Stop</c> before <c>RunForever</c> makes it run exactly one iteration.
    /// </summary>
    /// <exception cref="InvalidOperationException">
    /// The loop is closed, already running, or another loop is running on this thread.
    /// </exception>
    public void RunForever()
    {
        EnterRun();
        try
        {
            while (true)
            {
                RunOnce();
                if (_stopping)
                {
                    break;
                }
            }
        }
        finally
        {
            ExitRun();
        }
    }

    private SynchronizationContext? _savedSyncContext;
    private ExecutionContext? _savedExecutionContext;

    private void EnterRun()
    {
        if (_closed)
        {
            throw ThrowHelper.LoopClosed(nameof(RunForever));
        }

        if (IsRunning)
        {
            throw new InvalidOperationException(
                "This event loop is already running. Add work to it with CallSoon or Aio.CreateTask instead of running it again; " +
                "from another thread use CallSoonThreadSafe or Aio.RunCoroutineThreadSafe.");
        }

        if (t_running is not null)
        {
            throw new InvalidOperationException(
                "Cannot run the event loop while another loop is running on this thread. Schedule the work on the running loop " +
                "(Aio.CreateTask), or run the second loop on a thread of its own.");
        }

        // _stopping is not reset here: Stop() before RunForever makes it run exactly one iteration (asyncio).
        _ownerThread = Environment.CurrentManagedThreadId;
        t_running = this;
        StartWatchdogIfConfigured();
        _savedSyncContext = SynchronizationContext.Current;
        _savedExecutionContext = ExecutionContext.Capture();
        SynchronizationContext.SetSynchronizationContext(_syncContext);
    }

    private void ExitRun()
    {
        _stopping = false;
        t_running = null;
        SynchronizationContext.SetSynchronizationContext(_savedSyncContext);
        if (_savedExecutionContext is { } ec && ExecutionContext.Capture() != ec)
        {
            ExecutionContext.Restore(ec);
        }

        _savedSyncContext = null;
        _savedExecutionContext = null;
        Volatile.Write(ref _ownerThread, 0);
    }

    /// <summary>
    /// Asks the loop to stop after the current iteration (asyncio's <c>stop()</c>): every callback already queued
    /// for this iteration still runs. Loop thread only; from another thread use <c>CallSoonThreadSafe(loop.Stop)</c>.
    /// </summary>
    public void Stop()
    {
        CheckThread(nameof(Stop));
        _stopping = true;
    }

    /// <summary>
    /// Closes the loop (asyncio's <c>close()</c>): drops queued callbacks and timers and shuts the default executor down
    /// without waiting. Idempotent. Afterwards scheduling throws.
    /// </summary>
    /// <exception cref="InvalidOperationException">The loop is running.</exception>
    public void Close()
    {
        if (IsRunning)
        {
            throw new InvalidOperationException("Cannot close a running event loop. Call Stop() and close it after RunForever returns.");
        }

        if (_closed)
        {
            return;
        }

        ReportUnretrieved();
        ReportPendingTasksAtClose();
        ReportNeverAwaited();
        StopWatchdog();
        InspectionServer.Unregister(this);
        AsyncioMetrics.Unregister(this);
        RemoveAllSignalHandlers();
        _closed = true;
        _ready.Clear();
        _timers.Clear();
        while (_inbox.TryDequeue(out _))
        {
        }

        ShutdownExecutorNoWait();
        if (!ReferenceEquals(_selector, _initialSelector))
        {
            _selector.Dispose();
        }

        _initialSelector.Dispose();
        _virtualClock?.Detach(this);
    }

    /// <summary>Same as <see cref="Close"/>.</summary>
    public void Dispose() => Close();

    /// <inheritdoc/>
    public override string ToString() =>
        $"<EventLoop running={IsRunning} closed={_closed} debug={Debug}{(Seed is int s ? $" seed={s}" : "")}>";
}
