namespace Asyncio;

/// <summary>
/// An event flag tasks can wait for (asyncio's <c>Event</c>): <see cref="Set"/> wakes every waiter and later waits
/// return at once until <see cref="Clear"/>. Bound to the loop it is first used on; loop thread only.
/// </summary>
public sealed class AsyncEvent
{
    private readonly WaitQueue _waiters = new();
    private bool _value;

    /// <summary>True once <see cref="Set"/> was called and not cleared since (asyncio's <c>is_set()</c>).</summary>
    public bool IsSet => _value;

    /// <summary>Sets the flag and wakes every waiting task; later waits return at once.</summary>
    public void Set()
    {
        if (!_value)
        {
            _value = true;
            _waiters.WakeAll();
        }
    }

    /// <summary>Clears the flag; waiters already woken still return.</summary>
    public void Clear() => _value = false;

    /// <summary>
    /// Waits until the flag is set and returns true (asyncio's <c>wait()</c>). Ends with <see cref="CancelledError"/>
    /// if the task is cancelled, or <see cref="OperationCanceledException"/> if <paramref name="cancellationToken"/> is.
    /// </summary>
    public ValueCoroutine<bool> WaitAsync(CancellationToken cancellationToken = default) =>
        _value ? new ValueCoroutine<bool>(true) : WaitSlowAsync(cancellationToken);

    private async Coroutine<bool> WaitSlowAsync(CancellationToken cancellationToken)
    {
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
