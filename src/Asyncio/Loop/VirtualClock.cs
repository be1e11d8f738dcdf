namespace Asyncio;

/// <summary>
/// A <see cref="TimeProvider"/> whose time moves only when its loop lets it: whenever the loop is idle (nothing ready,
/// no outside work in flight) it jumps straight to the next timer, so a program that sleeps for hours finishes at once
/// and always sees the same times (Trio's <c>MockClock</c> with auto-jump, tokio's <c>start_paused</c>).
/// Give it to a loop through <see cref="LoopOptions.Clock"/>; one clock serves one loop at a time.
/// </summary>
/// <remarks>
/// <para>
/// Outside work the loop can see holds the jump back: <c>ToThread</c>/<c>RunInExecutor</c> work in flight, and a
/// coroutine awaiting a foreign awaitable (a .NET <see cref="Task"/>). A foreign await is not counted when a
/// continuation of plain .NET async code is parked on a loop-native wait (a loop timer, <c>Task.Delay(d, loop.Clock)</c>,
/// a future): an <c>async Task</c> helper that sleeps on the loop's clock is awaited as a foreign task, and time must
/// move for it to finish. When nothing can ever wake the awaited work, the run fails with a
/// <see cref="DeadlockException"/> naming each pending task and what it awaits.
/// </para>
/// <para>
/// Timers made with <see cref="CreateTimer"/> (what <c>Task.Delay(d, clock)</c> and <c>CancellationTokenSource(d, clock)</c>
/// use) run their callbacks on the loop thread.
/// </para>
/// </remarks>
public sealed class VirtualClock : TimeProvider
{
    private const long TicksPerSecond = 1_000_000_000;

    private readonly DateTimeOffset _epoch;
    private long _now;   // nanoseconds since the epoch; written by the loop thread, read from any thread
    private EventLoop? _loop;

    /// <summary>Creates a clock at virtual time 0; <see cref="GetUtcNow"/> starts at <paramref name="utcStart"/> (default 2000-01-01).</summary>
    public VirtualClock(DateTimeOffset? utcStart = null)
    {
        _epoch = utcStart ?? new DateTimeOffset(2000, 1, 1, 0, 0, 0, TimeSpan.Zero);
    }

    /// <summary>Nanoseconds.</summary>
    public override long TimestampFrequency => TicksPerSecond;

    /// <inheritdoc/>
    public override long GetTimestamp() => Volatile.Read(ref _now);

    /// <inheritdoc/>
    public override DateTimeOffset GetUtcNow() => _epoch + TimeSpan.FromTicks(Volatile.Read(ref _now) / 100);

    /// <inheritdoc/>
    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;

    /// <summary>
    /// How long, in real time, an idle loop with I/O it waits on (sockets and pipes registered with epoll, or
    /// operations outstanding on the portable backend) waits for it before it jumps to the next timer. On epoll, I/O
    /// between tasks of the same loop is ready at once; on the portable backend its completion is posted from the
    /// thread pool, well within this; a real peer gets this long to answer. Default 20 ms.
    /// </summary>
    public TimeSpan IoGrace { get; set; } = TimeSpan.FromMilliseconds(20);

    /// <summary>
    /// How long, in real time, an idle loop waits for a coroutine's foreign await (a .NET <see cref="Task"/>) before it
    /// jumps to the next timer anyway. A foreign task may itself wait for the loop's timers (a
    /// <see cref="TaskCompletionSource"/> a sleeping task completes), which no hold-back rule can see; this bounds the
    /// wait. Work the loop knows runs elsewhere (<c>ToThread</c>, <c>RunInExecutor</c>, child processes) is always waited
    /// for, except while it has handed this loop a coroutine with <c>Aio.RunCoroutineThreadSafe</c> (it probably waits
    /// for it, and the coroutine may sleep): then it gets this grace too. Default 200 ms.
    /// </summary>
    public TimeSpan ForeignAwaitGrace { get; set; } = TimeSpan.FromMilliseconds(200);

    /// <summary>Virtual time elapsed since the clock was created.</summary>
    public TimeSpan Elapsed => TimeSpan.FromTicks(Volatile.Read(ref _now) / 100);

    /// <summary>Virtual seconds elapsed (the same number as <see cref="EventLoop.Time"/> on its loop).</summary>
    public double Seconds => (double)Volatile.Read(ref _now) / TicksPerSecond;

    /// <summary>
    /// Moves time forward by <paramref name="delta"/> by hand (Trio's <c>MockClock.jump</c>); due timers run on the loop's
    /// next iteration. Call it on the loop's thread, or while the loop is not running.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="delta"/> is negative: time never goes back.</exception>
    public void Advance(TimeSpan delta)
    {
        if (delta < TimeSpan.Zero)
        {
            throw new ArgumentOutOfRangeException(nameof(delta), delta, "A virtual clock never goes back; give a positive or zero delta.");
        }

        _loop?.CheckThread(nameof(Advance));
        AdvanceTo(checked(Volatile.Read(ref _now) + (long)(delta.Ticks * 100)));
    }

    /// <summary>Loop thread: jumps to <paramref name="timestamp"/> if it is later than now.</summary>
    internal void AdvanceTo(long timestamp)
    {
        if (timestamp > _now)
        {
            Volatile.Write(ref _now, timestamp);
        }
    }

    internal void Attach(EventLoop loop)
    {
        EventLoop? current = _loop;
        if (current is not null && !current.IsClosed && !ReferenceEquals(current, loop))
        {
            throw new InvalidOperationException(
                "This VirtualClock already drives another event loop that is not closed. Give each loop a VirtualClock of its own.");
        }

        _loop = loop;
    }

    internal void Detach(EventLoop loop)
    {
        if (ReferenceEquals(_loop, loop))
        {
            _loop = null;
        }
    }

    /// <summary>
    /// A timer on the loop's virtual time; its callback runs on the loop thread. Used by <c>Task.Delay(d, clock)</c>,
    /// <c>CancellationTokenSource(d, clock)</c> and <c>PeriodicTimer</c>.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The clock is not attached to a loop yet.</exception>
    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ArgumentNullException.ThrowIfNull(callback);
        EventLoop loop = _loop ?? throw new InvalidOperationException(
            "This VirtualClock is not attached to an event loop yet: create the EventLoop with LoopOptions { Clock = clock } first.");
        var timer = new VirtualTimer(loop, callback, state);
        timer.Change(dueTime, period);
        return timer;
    }

    /// <inheritdoc/>
    public override string ToString() => $"<VirtualClock t={Seconds:0.###}s>";
}

/// <summary>A timer of a <see cref="VirtualClock"/>: an entry in its loop's timer heap.</summary>
internal sealed class VirtualTimer : ITimer, ITimerTarget
{
    private readonly EventLoop _loop;
    private readonly TimerCallback _callback;
    private readonly object? _state;
    private long _seq;          // the live heap entry; 0 when none. Loop thread only.
    private long _periodTicks;  // 0: one-shot
    private bool _countedAsLoopDriven;
    private bool _disposed;

    public VirtualTimer(EventLoop loop, TimerCallback callback, object? state)
    {
        _loop = loop;
        _callback = callback;
        _state = state;
    }

    public bool Change(TimeSpan dueTime, TimeSpan period)
    {
        if (dueTime < TimeSpan.Zero && dueTime != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(dueTime), dueTime, "The due time must be positive, zero, or Timeout.InfiniteTimeSpan.");
        }

        if (period < TimeSpan.Zero && period != Timeout.InfiniteTimeSpan)
        {
            throw new ArgumentOutOfRangeException(nameof(period), period, "The period must be positive, zero, or Timeout.InfiniteTimeSpan.");
        }

        if (_disposed)
        {
            return false;
        }

        if (EventLoop.Current == _loop || !_loop.IsRunning)
        {
            Arm(dueTime, period);
        }
        else
        {
            _loop.CallSoonThreadSafe(() => Arm(dueTime, period));
        }

        return true;
    }

    private void Arm(TimeSpan dueTime, TimeSpan period)
    {
        if (_disposed || _loop.IsClosed)
        {
            return;
        }

        Disarm();
        if (dueTime == Timeout.InfiniteTimeSpan)
        {
            return;
        }

        _periodTicks = period == Timeout.InfiniteTimeSpan || period == TimeSpan.Zero ? 0 : period.Ticks * 100;
        long due = _loop.NowTicks + dueTime.Ticks * 100;
        _seq = _loop.AddTimer(due, this);
        if (_periodTicks == 0)
        {
            // A one-shot timer is usually a Task.Delay some foreign await stands behind (see EventLoop.IsTimeHeldBack).
            _countedAsLoopDriven = true;
            _loop._loopDrivenForeign++;
        }
    }

    private void Disarm()
    {
        if (_seq != 0)
        {
            _seq = 0;
            _loop.NoteTimerCancelled();
        }

        if (_countedAsLoopDriven)
        {
            _countedAsLoopDriven = false;
            _loop._loopDrivenForeign--;
        }
    }

    bool ITimerTarget.IsTimerLive(long seq) => seq == _seq && !_disposed;

    void ITimerTarget.OnTimer(EventLoop loop, long seq)
    {
        _seq = 0;
        if (_countedAsLoopDriven)
        {
            _countedAsLoopDriven = false;
            _loop._loopDrivenForeign--;
        }

        if (_periodTicks > 0)
        {
            _seq = loop.AddTimer(loop.NowTicks + _periodTicks, this);
        }

        loop.EnqueueReady(static s => ((VirtualTimer)s!).Fire(), this);
    }

    private void Fire()
    {
        if (!_disposed)
        {
            _callback(_state);
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        if (EventLoop.Current == _loop || !_loop.IsRunning)
        {
            Disarm();
            _disposed = true;
        }
        else
        {
            _disposed = true;
            _loop.TryPost(static s => ((VirtualTimer)s!).Disarm(), this);
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }
}
