namespace Asyncio;

/// <summary>
/// A callback scheduled with <see cref="EventLoop.CallLater(double, Action)"/> or <see cref="EventLoop.CallAt(double, Action)"/>
/// (asyncio's <c>TimerHandle</c>). Loop thread only.
/// </summary>
public sealed class TimerHandle : ITimerTarget, IScheduleGroup
{
    private readonly EventLoop _loop;
    private Action<object?>? _callback;
    private object? _state;
    private readonly ExecutionContext? _context;
    private readonly long _dueTicks;
    private long _seq;
    private bool _cancelled;
    private bool _fired;

    internal TimerHandle(EventLoop loop, long dueTicks, Action<object?> callback, object? state, ExecutionContext? context)
    {
        _loop = loop;
        _dueTicks = dueTicks;
        _callback = callback;
        _state = state;
        _context = context;
    }

    /// <summary>The loop time, in seconds, at which the callback is scheduled (asyncio's <c>TimerHandle.when()</c>).</summary>
    public double When => _loop.TicksToSeconds(_dueTicks);

    /// <summary>True once <see cref="Cancel"/> was called.</summary>
    public bool IsCancelled => _cancelled;

    internal long DueTicks => _dueTicks;

    internal void Register(long seq) => _seq = seq;

    /// <summary>Prevents the callback from running if it has not run yet. Idempotent. Loop thread only.</summary>
    public void Cancel()
    {
        if (_cancelled)
        {
            return;
        }

        _loop.CheckThread(nameof(Cancel));
        _cancelled = true;
        _callback = null;
        _state = null;
        if (!_fired)
        {
            _loop.NoteTimerCancelled();
        }
    }

    bool ITimerTarget.IsTimerLive(long seq) => !_cancelled && seq == _seq;

    void ITimerTarget.OnTimer(EventLoop loop, long seq)
    {
        _fired = true;
        if (_callback is { } cb)
        {
            // CPython moves the TimerHandle itself onto the ready queue; cancelling it afterwards still prevents the run.
            loop.EnqueueReady(static s => ((TimerHandle)s!).Run(), this, null);
        }
    }

    private void Run()
    {
        if (_cancelled || _callback is not { } cb)
        {
            return;
        }

        object? state = _state;
        _callback = null;
        _state = null;
        _loop.InvokeUserCallback(cb, state, _context, this);
    }

    /// <summary>Under a seeded schedule each timer is a group of its own, so timers due together run in a seeded order.</summary>
    object IScheduleGroup.Group => this;

    /// <inheritdoc/>
    public override string ToString() =>
        $"<TimerHandle when={When:0.###} {(_cancelled ? "cancelled" : _fired ? "fired" : "scheduled")}>";
}
