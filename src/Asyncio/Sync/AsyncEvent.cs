using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// An event flag tasks can wait for (asyncio's <c>Event</c>): <see cref="Set"/> wakes every waiter and later waits
/// return at once until <see cref="Clear"/>. Bound to the loop it is first used on; loop thread only.
/// </summary>
public sealed class AsyncEvent
{
    private readonly WaitQueue _waiters = new("AsyncEvent.WaitAsync");
    private bool _value;

    /// <summary>True once <see cref="Set"/> was called and not cleared since (asyncio's <c>is_set()</c>).</summary>
    public bool IsSet => _value;

    /// <summary>Sets the flag and wakes every waiting task; later waits return at once.</summary>
    public void Set()
    {
        _waiters.CheckThread("AsyncEvent.Set");
        if (!_value)
        {
            _value = true;
            _waiters.WakeAll();
        }
    }

    /// <summary>Clears the flag; waiters already woken still return.</summary>
    public void Clear()
    {
        _waiters.CheckThread("AsyncEvent.Clear");
        _value = false;
    }

    /// <summary>
    /// Waits until the flag is set and returns true (asyncio's <c>wait()</c>). Ends with <see cref="CancelledError"/>
    /// if the task is cancelled, or <see cref="OperationCanceledException"/> if <paramref name="cancellationToken"/> is.
    /// </summary>
    public WaitAwaitable WaitAsync(CancellationToken cancellationToken = default) => new(this, cancellationToken);

    /// <summary>What <see cref="WaitAsync"/> returns: await it, or turn it into a coroutine.</summary>
    public readonly struct WaitAwaitable
    {
        private readonly AsyncEvent _event;
        private readonly CancellationToken _token;

        internal WaitAwaitable(AsyncEvent owner, CancellationToken token)
        {
            _event = owner;
            _token = token;
        }

        /// <summary>Returns at once if the event is set (or the token already cancelled), else parks the task on the event.</summary>
        public WaitAwaiter GetAwaiter() => new(_event, _token);

        /// <summary>The wait as a cold coroutine.</summary>
        public Coroutine<bool> AsCoroutine() => _event.WaitSlowAsync(_token);
    }

    /// <summary>
    /// Awaits the event without a coroutine frame of its own: a waiting task costs no more than its place in the wait
    /// queue. Whether the wait is needed is decided when the awaiter is made, right before <c>IsCompleted</c>.
    /// </summary>
    public readonly struct WaitAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
    {
        private readonly WaitQueue.WaitAwaiter _wait;
        private readonly CancellationToken _token;
        private readonly bool _ready;

        internal WaitAwaiter(AsyncEvent owner, CancellationToken token)
        {
            _wait = owner._waiters.WaitAsync(token).GetAwaiter();
            _token = token;
            _ready = token.IsCancellationRequested || owner._value;
        }

        /// <summary>True when the event is set or the token already cancelled; throws when no loop runs on this thread.</summary>
        public bool IsCompleted => _ready || _wait.IsCompleted;

        /// <summary>True once the event was set; throws <see cref="CancelledError"/> or <see cref="OperationCanceledException"/> otherwise.</summary>
        public bool GetResult()
        {
            if (_ready)
            {
                _token.ThrowIfCancellationRequested();
            }
            else
            {
                _wait.GetResult();
            }

            return true;
        }

        void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _wait.Park(task);

        /// <summary>Parks <paramref name="task"/>, for awaiters that wrap this one (no boxing through the interface).</summary>
        internal void Park(AioTask task) => _wait.Park(task);

        /// <inheritdoc/>
        public void OnCompleted(Action continuation) => _wait.OnCompleted(continuation);

        /// <inheritdoc/>
        public void UnsafeOnCompleted(Action continuation) => _wait.UnsafeOnCompleted(continuation);
    }

    private async Coroutine<bool> WaitSlowAsync(CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        if (_value)
        {
            return true;
        }

        await _waiters.WaitAsync(cancellationToken);
        return true;
    }

    /// <inheritdoc/>
    public override string ToString() => $"<AsyncEvent [{(_value ? "set" : "unset")}] waiters={_waiters.Count}>";
}
