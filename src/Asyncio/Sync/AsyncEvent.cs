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

    private ValueCoroutine<bool> WaitNow(CancellationToken cancellationToken) =>
        cancellationToken.IsCancellationRequested ? Canceled<bool>.Throw(cancellationToken)
        : _value ? new ValueCoroutine<bool>(true)
        : WaitSlowAsync(cancellationToken);

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

        /// <summary>Returns at once if the event is set, else waits.</summary>
        public ValueCoroutineAwaiter<bool> GetAwaiter() => _event.WaitNow(_token).GetAwaiter();

        /// <summary>The wait as a cold coroutine.</summary>
        public Coroutine<bool> AsCoroutine() => _event.WaitSlowAsync(_token);
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
