namespace Asyncio;

/// <summary>
/// A barrier (asyncio's <c>Barrier</c>): <see cref="WaitAsync"/> blocks until <see cref="Parties"/> tasks are waiting,
/// then releases them all; each gets a distinct arrival index 0 … parties−1. It then refills for the next round.
/// <see cref="ResetAsync"/> sends the current waiters away with <see cref="BrokenBarrierError"/>; <see cref="AbortAsync"/>
/// breaks it for good. Loop thread only.
/// </summary>
public sealed class AsyncBarrier
{
    private enum State
    {
        Filling,
        Draining,
        Resetting,
        Broken,
    }

    private readonly AsyncCondition _cond = new();
    private readonly int _parties;
    private State _state = State.Filling;
    private int _count;

    /// <summary>A barrier for <paramref name="parties"/> tasks.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="parties"/> is less than 1.</exception>
    public AsyncBarrier(int parties)
    {
        if (parties < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(parties), parties, "A barrier needs at least 1 party.");
        }

        _parties = parties;
    }

    /// <summary>How many tasks must wait before the barrier releases them.</summary>
    public int Parties => _parties;

    /// <summary>Tasks waiting now, while the barrier fills (asyncio's <c>n_waiting</c>).</summary>
    public int WaitingCount => _state == State.Filling ? _count : 0;

    /// <summary>True once <see cref="AbortAsync"/> broke the barrier.</summary>
    public bool IsBroken => _state == State.Broken;

    /// <summary>
    /// Waits until <see cref="Parties"/> tasks wait, then returns this task's arrival index (0 … parties−1).
    /// </summary>
    /// <exception cref="BrokenBarrierError">The barrier was reset or aborted while waiting, or is broken.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled while waiting (the task no longer counts as waiting).</exception>
    public async Coroutine<int> WaitAsync(CancellationToken cancellationToken = default)
    {
        await using (await _cond.AcquireAsync(cancellationToken))
        {
            await BlockAsync(cancellationToken);   // while the barrier drains or resets
            try
            {
                int index = _count;
                _count++;
                if (index + 1 == _parties)
                {
                    _state = State.Draining;   // we release the barrier
                    _cond.NotifyAll();
                }
                else
                {
                    await _cond.WaitForAsync(() => _state != State.Filling, cancellationToken);
                    if (_state is State.Broken or State.Resetting)
                    {
                        throw new BrokenBarrierError("Abort or reset of barrier");
                    }
                }

                return index;
            }
            finally
            {
                _count--;
                Exit();
            }
        }
    }

    private async Coroutine BlockAsync(CancellationToken cancellationToken)
    {
        await _cond.WaitForAsync(() => _state is not (State.Draining or State.Resetting), cancellationToken);
        if (_state == State.Broken)
        {
            throw new BrokenBarrierError("Barrier aborted");
        }
    }

    /// <summary>The last task out of a drain or reset lets the barrier fill again.</summary>
    private void Exit()
    {
        if (_count == 0)
        {
            if (_state is State.Resetting or State.Draining)
            {
                _state = State.Filling;
            }

            _cond.NotifyAll();
        }
    }

    /// <summary>
    /// Returns the barrier to its empty state; tasks waiting on it get <see cref="BrokenBarrierError"/> (asyncio's <c>reset()</c>).
    /// </summary>
    public async Coroutine ResetAsync()
    {
        await using (await _cond.AcquireAsync())
        {
            if (_count > 0)
            {
                _state = State.Resetting;   // wake the waiters; the last one out refills the barrier
            }
            else
            {
                _state = State.Filling;
            }

            _cond.NotifyAll();
        }
    }

    /// <summary>
    /// Breaks the barrier for good: current and future waiters get <see cref="BrokenBarrierError"/> (asyncio's <c>abort()</c>).
    /// </summary>
    public async Coroutine AbortAsync()
    {
        await using (await _cond.AcquireAsync())
        {
            _state = State.Broken;
            _cond.NotifyAll();
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"<AsyncBarrier [{_state.ToString().ToLowerInvariant()}] waiters={WaitingCount}/{_parties}>";
}

/// <summary>The barrier was reset or aborted while a task waited on it (asyncio's <c>BrokenBarrierError</c>).</summary>
public sealed class BrokenBarrierError : InvalidOperationException
{
    /// <summary>Creates the error.</summary>
    public BrokenBarrierError(string message)
        : base(message)
    {
    }
}
