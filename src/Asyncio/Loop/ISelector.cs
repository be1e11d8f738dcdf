namespace Asyncio;

/// <summary>
/// The loop's wait step: blocks until the next timer is due, a thread-safe call arrives, or (in an I/O reactor) a
/// registered descriptor is ready, whose callbacks it then queues on the ready queue.
/// </summary>
internal interface ISelector : IDisposable
{
    /// <summary>A short name for reports: "wakeup", "epoll", "portable".</summary>
    string Name { get; }

    /// <summary>
    /// Waits at most <paramref name="timeout"/> (<see cref="Timeout.InfiniteTimeSpan"/>: no limit; zero: just poll)
    /// and returns how many I/O callbacks it queued. Loop thread only.
    /// </summary>
    int Select(TimeSpan timeout);

    /// <summary>Ends a <see cref="Select"/> in progress, or makes the next one return at once. Any thread.</summary>
    void Wakeup();
}

/// <summary>
/// The loop's I/O reactor: epoll, which watches descriptors for readiness (asyncio's <c>add_reader</c>/<c>add_writer</c>),
/// or the portable completion-based one, which has no readiness callbacks and refuses the descriptor methods.
/// </summary>
internal interface IIoSelector : ISelector
{
    /// <summary>I/O the loop waits on, for virtual time: descriptors with a reader or a writer (epoll), outstanding operations waited on (portable).</summary>
    int WatchedCount { get; }

    void SetReader(int fd, Action<object?>? callback, object? state);

    void SetWriter(int fd, Action<object?>? callback, object? state);

    bool HasReader(int fd);

    bool HasWriter(int fd);

    void Forget(int fd);
}

/// <summary>The selector of a loop without I/O registrations: it waits for a wake-up or the timeout.</summary>
internal sealed class WakeupSelector : ISelector
{
    // Sticky: a Wakeup that lands before Select starts makes that Select return at once.
    private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);

    public string Name => "wakeup";

    public int Select(TimeSpan timeout)
    {
        if (timeout == TimeSpan.Zero)
        {
            if (_wake.IsSet)
            {
                _wake.Reset();
            }

            return 0;
        }

        if (timeout != Timeout.InfiniteTimeSpan)
        {
            // Round up to whole milliseconds so a timer is never reached a little early and spun on.
            long ms = (long)Math.Ceiling(timeout.TotalMilliseconds);
            timeout = TimeSpan.FromMilliseconds(Math.Min(ms, int.MaxValue - 1));
        }

        _wake.Wait(timeout);
        _wake.Reset();
        return 0;
    }

    public void Wakeup() => _wake.Set();

    public void Dispose() => _wake.Dispose();
}
