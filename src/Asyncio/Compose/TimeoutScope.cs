using System.Globalization;

namespace Asyncio;

/// <summary>
/// The deadline of an <see cref="Aio.Timeout(double?, Func{TimeoutScope, Coroutine})"/> block (asyncio's
/// <c>Timeout</c>): query it, or move it with <see cref="Reschedule"/> while the block runs.
/// </summary>
/// <remarks>
/// On expiry the scope cancels its task; when the block then ends with that cancellation, and no other cancel is
/// pending (the task's <see cref="AioTask.Cancelling"/> count is back to what it was on entry), the
/// <see cref="CancelledError"/> becomes a <see cref="TimeoutException"/>. So nested scopes convert only at the level
/// that fired, and a cancel from outside is never turned into a timeout.
/// </remarks>
public sealed class TimeoutScope
{
    private enum State
    {
        Created,
        Active,
        Expiring,
        Expired,
        Finished,
    }

    private readonly EventLoop _loop;
    private readonly AioTask _task;
    private readonly int _cancelling;
    private State _state = State.Created;
    private double? _when;
    private Handle _soon;
    private TimerHandle? _timer;

    private TimeoutScope(EventLoop loop, AioTask task)
    {
        _loop = loop;
        _task = task;
        _cancelling = task.Cancelling();
    }

    /// <summary>The deadline in loop time (<see cref="EventLoop.Time"/>), or null for none.</summary>
    public double? When => _when;

    /// <summary>True once the deadline passed and the scope cancelled its task (asyncio's <c>expired()</c>).</summary>
    public bool Expired => _state is State.Expiring or State.Expired;

    /// <summary>
    /// Moves the deadline to loop time <paramref name="when"/> (null: no deadline). A deadline already past fires on
    /// the next iteration.
    /// </summary>
    /// <exception cref="InvalidOperationException">The block is not running, or the scope already expired.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="when"/> is NaN.</exception>
    public void Reschedule(double? when)
    {
        if (_state != State.Active)
        {
            throw new InvalidOperationException(_state switch
            {
                State.Created => "Cannot reschedule a timeout that has not been entered.",
                State.Expiring => "Cannot reschedule a timeout that is expiring: its task was already cancelled.",
                State.Expired => "Cannot reschedule a timeout that has expired.",
                _ => "Cannot reschedule a timeout that is finished: its block has ended.",
            });
        }

        if (when is double w && double.IsNaN(w))
        {
            throw new ArgumentOutOfRangeException(nameof(when), "The deadline is NaN; give a loop time (loop.Time() + seconds) or null.");
        }

        _loop.CheckThread(nameof(Reschedule));
        CancelHandler();
        _when = when;
        if (when is not double deadline || double.IsPositiveInfinity(deadline))
        {
            return;
        }

        if (deadline <= _loop.Time())
        {
            _soon = _loop.CallSoon(static s => ((TimeoutScope)s!).OnTimeout(), this);
        }
        else
        {
            _timer = _loop.CallAt(deadline, static s => ((TimeoutScope)s!).OnTimeout(), this);
        }
    }

    internal static TimeoutScope Enter(double? when)
    {
        EventLoop loop = Aio.RunningLoop(nameof(Aio.Timeout));
        AioTask task = loop._currentTask ?? throw new InvalidOperationException(
            "Aio.Timeout must be used inside a task: await it from a coroutine running on the loop.");
        var scope = new TimeoutScope(loop, task) { _state = State.Active };
        scope.Reschedule(when);
        return scope;
    }

    private void OnTimeout()
    {
        _timer = null;
        _soon = default;
        if (_state != State.Active)
        {
            return;
        }

        _task.Cancel();
        _state = State.Expiring;
    }

    /// <summary>Leaves the scope; true if <paramref name="error"/> is this scope's cancellation, to become a timeout.</summary>
    internal bool Exit(Exception? error)
    {
        CancelHandler();
        if (_state == State.Expiring)
        {
            _state = State.Expired;
            return _task.Uncancel() <= _cancelling && error is not null && _task.IsOwnCancellation(error);
        }

        if (_state == State.Active)
        {
            _state = State.Finished;
        }

        return false;
    }

    internal TimeoutException TimedOut(Exception cancellation) => new(
        $"Timed out: the deadline t={FormatWhen()} of an Aio.Timeout block passed; the work was cancelled and has finished.",
        cancellation);

    private void CancelHandler()
    {
        _timer?.Cancel();
        _timer = null;
        _soon.Cancel();
        _soon = default;
    }

    private string FormatWhen() => _when?.ToString("0.###", CultureInfo.InvariantCulture) ?? "none";

    /// <inheritdoc/>
    public override string ToString() => _state == State.Active
        ? $"<Timeout [active] when={FormatWhen()}>"
        : $"<Timeout [{_state.ToString().ToLowerInvariant()}]>";
}
