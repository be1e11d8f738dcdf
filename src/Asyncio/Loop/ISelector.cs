namespace Asyncio;

/// <summary>
/// The loop's wait step: blocks until the next timer is due, a thread-safe call arrives, or (in the I/O reactor)
/// a registered descriptor is ready. The epoll reactor plugs in here.
/// </summary>
internal interface ISelector : IDisposable
{
    /// <summary>
    /// Waits at most <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit; zero: just poll).
    /// Loop thread only.
    /// </summary>
    void Select(TimeSpan timeout);

    /// <summary>Ends a <see cref="Select"/> in progress, or makes the next one return at once. Any thread.</summary>
    void Wakeup();
}

/// <summary>The selector of a loop without I/O registrations: it waits for a wake-up or the timeout.</summary>
internal sealed class WakeupSelector : ISelector
{
    // Sticky: a Wakeup that lands before Select starts makes that Select return at once.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);

    public void Select(TimeSpan timeout)
    {
        if (timeout == TimeSpan.Zero)
        {
            if (_wake.IsSet)
            {
                _wake.Reset();
            }

            return;
        }

        if (timeout != Timeout.InfiniteTimeSpan)
        {
            // Round up to whole milliseconds so a timer is never reached a little early and spun on.
            long ms = (long)Math.Ceiling(timeout.TotalMilliseconds);
            timeout = TimeSpan.FromMilliseconds(Math.Min(ms, int.MaxValue - 1));
        }

        _wake.Wait(timeout);
        _wake.Reset();
    }

    public void Wakeup() => _wake.Set();

    public void Dispose() => _wake.Dispose();
}
