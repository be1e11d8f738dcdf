using Microsoft.Extensions.Logging;

namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>Set once any loop turns debug mode on, so that coroutine creation checks for a debug loop only then.</summary>
    internal static bool s_anyDebugLoop;

    private bool _debug;
    private TimeSpan _slowCallbackDuration;

    /// <summary>asyncio's debug mode (<c>loop.get_debug()</c>/<c>set_debug()</c>): slow-callback warnings, creation stacks of tasks and coroutines, never-awaited coroutines reported at <see cref="Close"/>.</summary>
    public bool Debug
    {
        get => _debug;
        set
        {
            _debug = value;
            if (value)
            {
                s_anyDebugLoop = true;
            }
        }
    }

    /// <summary>
    /// In debug mode, a callback or task step that runs longer than this is logged as slow (asyncio's
    /// <c>slow_callback_duration</c>). Measured on the loop's clock: in real time, or, under a <see cref="VirtualClock"/>,
    /// in virtual time (a step that advances the clock by hand counts as that long), so that reports in tests do not
    /// depend on machine speed. A step that really blocks a virtual-time loop is what the stall detector reports.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">The value is negative.</exception>
    public TimeSpan SlowCallbackDuration
    {
        get => _slowCallbackDuration;
        set
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(value, TimeSpan.Zero, nameof(SlowCallbackDuration));
            _slowCallbackDuration = value;
        }
    }

    // ------------------------------------------------------------------ what the stall watchdog reads

    /// <summary>Bumped before each callback of an instrumented batch and around each wait step. Loop thread writes; the watchdog reads.</summary>
    internal long _stepSeq;

    /// <summary>True while the loop blocks in its wait step (idle, not stalled). Loop thread writes; the watchdog reads.</summary>
    internal volatile bool _inWaitStep;

    // The callback running now and, for a task step, the frame it resumed and that frame's await number: written by the
    // loop thread before each callback of an instrumented batch (no allocation), read by other threads through
    // CaptureRunningStep, which re-checks _stepSeq to reject a torn read.
    private Action<object?>? _runningCallback;
    private object? _runningState;
    private Type? _runningFrameType;
    private int _runningFrameState;

    /// <summary>
    /// Any thread: what the loop runs now, or null between callbacks (or when the batch is not instrumented). A
    /// consistent copy: the fields are read between two equal reads of the step number.
    /// </summary>
    internal StepInfo? CaptureRunningStep()
    {
        for (int attempt = 0; attempt < 8; attempt++)
        {
            long before = Volatile.Read(ref _stepSeq);
            Action<object?>? callback = Volatile.Read(ref _runningCallback);
            object? state = Volatile.Read(ref _runningState);
            Type? frameType = Volatile.Read(ref _runningFrameType);
            int frameState = Volatile.Read(ref _runningFrameState);
            if (Volatile.Read(ref _stepSeq) == before)
            {
                return callback is null ? null : new StepInfo { Callback = callback, State = state, FrameType = frameType, FrameState = frameState };
            }
        }

        return null;
    }

    private StallWatchdog? _watchdog;

    /// <summary>What runs in the current callback, as the stall watchdog and the slow-callback report name it.</summary>
    internal sealed class StepInfo
    {
        public required Action<object?> Callback { get; init; }
        public required object? State { get; init; }
        public Type? FrameType { get; init; }
        public int FrameState { get; init; }

        /// <summary>"&lt;AioTask ...&gt;" or the callback's method; safe to call from another thread (it draws no task name).</summary>
        public string Describe() => State is AioTask task
            ? task.DescribeForDiagnostics()
            : $"<Handle {DescribeCallback(Callback, State)}>";

        /// <summary>Where the step started: the await it resumed from, or the coroutine's start.</summary>
        public string? ResumedFrom() => FrameType is null ? null : DescribeSite(FrameType, FrameState);
    }

    /// <summary>Publishes the callback about to run (the step number is bumped around the writes, as a seqlock).</summary>
    private void PublishRunningStep(in ReadyItem item)
    {
        Type? frameType = null;
        int frameState = int.MinValue;
        if (item.State is AioTask task)
        {
            AioTask frame = task._link ?? task;
            frameType = frame.StateMachineType;
            frameState = frameType is null ? int.MinValue : frame.StateMachineStateValue;
        }

        Volatile.Write(ref _stepSeq, _stepSeq + 1);
        _runningCallback = item.Callback;
        _runningState = item.State;
        _runningFrameType = frameType;
        _runningFrameState = frameState;
        Volatile.Write(ref _stepSeq, _stepSeq + 1);
    }

    private void ClearRunningStep()
    {
        Volatile.Write(ref _stepSeq, _stepSeq + 1);
        _runningCallback = null;
        _runningState = null;
        _runningFrameType = null;
        Volatile.Write(ref _stepSeq, _stepSeq + 1);
    }

    /// <summary>"Program.Worker at /src/Program.cs:12" for a suspended state machine; the method alone without symbols.</summary>
    internal static string DescribeSite(Type stateMachineType, int state)
    {
        SourceSite? site = state == int.MinValue ? null : AwaitSites.Locate(stateMachineType, state);
        return site?.ToString() ?? CoroutineNames.Of(stateMachineType);
    }

    private readonly TimeSpan? _stallThreshold;

    /// <summary>Whether this iteration runs callbacks one by one under watch (debug mode, the stall watchdog, inspection).</summary>
    private bool IsInstrumented => _debug || _watchdog is not null || _taskBirths is not null;

    /// <summary>
    /// The batch, run under watch: the watchdog sees which callback runs; in debug mode each is timed and a slow one
    /// is reported with the task and the source lines its step ran between.
    /// </summary>
    private void RunInstrumentedBatch(int n)
    {
        int[]? order = _shuffle is not null && n > 1 ? SeededOrder(n) : null;
        bool debug = _debug;
        long slowTicks = (long)(_slowCallbackDuration.TotalSeconds * _frequency);
        try
        {
            for (int k = 0; k < n; k++)
            {
                ReadyItem item;
                long seq;
                if (order is null)
                {
                    _ready.Dequeue(out item, out seq);
                }
                else
                {
                    _ready.TakeAt(order[k], out item, out seq);
                }

                if (item.Callback is null)
                {
                    continue;
                }

                PublishRunningStep(in item);
                long start = debug ? NowTicks : 0;
                Invoke(in item, seq);
                if (debug)
                {
                    long elapsed = NowTicks - start;
                    if (elapsed > slowTicks && CaptureRunningStep() is { } step)
                    {
                        ReportSlowCallback(step, (double)elapsed / _frequency);
                    }
                }
            }
        }
        finally
        {
            ClearRunningStep();
            if (order is not null)
            {
                _ready.Skip(n);
            }
        }
    }

    /// <summary>asyncio's "Executing &lt;Task ...&gt; took 0.250 seconds", with where the step started and stopped.</summary>
    private void ReportSlowCallback(StepInfo step, double seconds)
    {
        Interlocked.Increment(ref _statSlowCallbacks);
        string text = $"Executing {step.Describe()} took {seconds.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture)} seconds";
        if (step.ResumedFrom() is { } from)
        {
            text += $"; the step started at {from}";
            if (step.State is AioTask { IsDone: false } task && task.SuspendedAt() is { } to)
            {
                text += $" and is now suspended at {to}";
            }
            else if (step.State is AioTask { IsDone: true })
            {
                text += " and ran to the end of the coroutine";
            }
        }

        LogWarning(text);
    }

    /// <summary>Writes a warning through <see cref="LoopOptions.Logger"/>, or to standard error when none is given. Any thread.</summary>
    internal void LogWarning(string text)
    {
        if (Options.Logger is { } logger)
        {
#pragma warning disable CA1848, CA2254 // the text is built by the loop, not a template
            logger.LogWarning(text);
#pragma warning restore CA1848, CA2254
        }
        else
        {
            WriteToStderr(text, null);
        }
    }

    private void StartWatchdogIfConfigured()
    {
        if (_watchdog is null && _stallThreshold is TimeSpan threshold)
        {
            _watchdog = new StallWatchdog(this, threshold);
        }
    }

    private void StopWatchdog()
    {
        _watchdog?.Dispose();
        _watchdog = null;
    }

    // ------------------------------------------------------------------ coroutines never awaited (debug mode)

    /// <summary>Coroutines created on this loop's thread in debug mode, checked at <see cref="Close"/>. Loop thread only.</summary>
    private List<TrackedCoroutine>? _trackedCoroutines;
    private int _trackedPruneAt = 256;

    private readonly record struct TrackedCoroutine(ICoroutineFrameInfo Frame, int Version, CreationStack Stack)
    {
        /// <summary>Still the same coroutine (not recycled) and never awaited or made a task.</summary>
        public bool IsUnawaited() => Frame.Version == Version && !Frame.IsClaimed;
    }

    /// <summary>Called by the coroutine builders when a debug loop runs on this thread.</summary>
    internal static void TrackIfDebug(ICoroutineFrameInfo frame)
    {
        if (t_running is { _debug: true } loop)
        {
            loop.TrackCoroutine(frame);
        }
    }

    private void TrackCoroutine(ICoroutineFrameInfo frame)
    {
        var list = _trackedCoroutines ??= new List<TrackedCoroutine>();
        list.Add(new TrackedCoroutine(frame, frame.Version, CreationStack.Capture()));
        if (list.Count >= _trackedPruneAt)
        {
            list.RemoveAll(static c => !c.IsUnawaited());
            _trackedPruneAt = Math.Max(256, list.Count * 2);
        }
    }

    /// <summary>"coroutine 'X' was never awaited", with where it was created, for each tracked coroutine never used.</summary>
    private void ReportNeverAwaited()
    {
        if (_trackedCoroutines is not { } list)
        {
            return;
        }

        _trackedCoroutines = null;
        foreach (TrackedCoroutine c in list)
        {
            if (c.IsUnawaited())
            {
                ReportLost(new LoopExceptionContext($"coroutine '{c.Frame.MethodName}' was never awaited")
                {
                    SourceTraceback = "Coroutine created at:\n" + c.Stack,
                });
            }
        }
    }

    // ------------------------------------------------------------------ lost errors

    /// <summary>Reports kept for <see cref="LoopOptions.StrictExceptions"/>. Loop thread only.</summary>
    private List<LoopExceptionContext>? _lostReports;

    /// <summary>The lost-error reports of this loop so far (only kept with <see cref="LoopOptions.StrictExceptions"/>).</summary>
    internal IReadOnlyList<LoopExceptionContext> LostReports => _lostReports ?? (IReadOnlyList<LoopExceptionContext>)[];

    /// <summary>Reports an error nobody will ever see otherwise; counted, and kept for strict mode.</summary>
    internal void ReportLost(LoopExceptionContext context)
    {
        Interlocked.Increment(ref _statLostErrors);
        if (Options.StrictExceptions)
        {
            (_lostReports ??= new List<LoopExceptionContext>()).Add(context);
        }

        CallExceptionHandler(context);
    }

    /// <summary>At close: "Task was destroyed but it is pending!" for each task still registered, then lets them go.</summary>
    private void ReportPendingTasksAtClose()
    {
        for (int i = 0; i < _taskCount; i++)
        {
            AioTask task = _tasks[i]!;
            ReportLost(new LoopExceptionContext("Task was destroyed but it is pending!")
            {
                Task = task,
                SourceTraceback = task.CreationStackText(),
            });
        }

        Array.Clear(_tasks, 0, _taskCount);
        _taskCount = 0;
    }
}

/// <summary>What the never-awaited check needs from a coroutine frame of any result type.</summary>
internal interface ICoroutineFrameInfo
{
    /// <summary>Bumped when the frame goes back to its pool.</summary>
    int Version { get; }

    /// <summary>Awaited or made a task.</summary>
    bool IsClaimed { get; }

    string MethodName { get; }
}
