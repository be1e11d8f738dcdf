using System.Collections.Concurrent;
using System.Diagnostics;

namespace Asyncio.IO;

/// <summary>
/// The portable I/O backend's reactor (asyncio's <c>IocpProactor</c> counterpart): .NET socket and pipe operations run
/// off the loop, and each completion is posted here from whatever thread finished it. The loop's wait step moves the
/// posted completions onto the ready queue, so transports see them on the loop thread, in the order they arrived.
/// There are no readiness callbacks: <see cref="SetReader"/> and <see cref="SetWriter"/> refuse.
/// </summary>
/// <remarks>
/// Invariant: <see cref="WatchedCount"/> is the number of outstanding operations some transport, server or
/// <c>Sock*Async</c> call is waiting on (see <see cref="CompletionSlot{T}.Watched"/>). It plays the part of epoll's
/// registered descriptors for virtual time: an idle connection's pending receive gets <see cref="VirtualClock.IoGrace"/>
/// of real time before the clock jumps, and never holds it back for good.
/// </remarks>
internal sealed class CompletionSelector : IIoSelector
{
    private readonly EventLoop _loop;

    /// <summary>Any thread enqueues (then wakes the wait); the loop thread drains in <see cref="Select"/>.</summary>
    private readonly ConcurrentQueue<(Action<object?> Callback, object? State)> _completions = new();

    /// <summary>The wait itself: sticky, so a completion posted before the loop waits makes the wait return at once.</summary>
    private readonly WakeupSelector _wait = new();

    /// <summary>Loop thread only; see the invariant in the remarks.</summary>
    private int _watched;

    private volatile bool _disposed;

    public CompletionSelector(EventLoop loop) => _loop = loop;

    public string Name => "portable";

    public int WatchedCount => _watched;

    public int Select(TimeSpan timeout)
    {
        int n = Drain();
        _wait.Select(n > 0 ? TimeSpan.Zero : timeout);   // resets the wake-up, then drains what raced with it
        return n + Drain();
    }

    private int Drain()
    {
        int n = 0;
        while (_completions.TryDequeue(out var completion))
        {
            _loop.EnqueueReady(completion.Callback, completion.State);
            n++;
        }

        return n;
    }

    public void Wakeup()
    {
        try
        {
            _wait.Wakeup();
        }
        catch (ObjectDisposedException)
        {
            // a completion that lands after the loop closed: nobody waits any more
        }
    }

    /// <summary>Queues <paramref name="callback"/>(<paramref name="state"/>) for the loop from any thread; false once the loop closed.</summary>
    public bool Post(Action<object?> callback, object? state)
    {
        if (_disposed)
        {
            return false;
        }

        _completions.Enqueue((callback, state));
        Wakeup();
        return true;
    }

    /// <summary>Loop thread: one more outstanding operation is waited on.</summary>
    public void BeginWatch() => _watched++;

    /// <summary>Loop thread: an operation counted by <see cref="BeginWatch"/> is over, or no longer waited on.</summary>
    public void EndWatch()
    {
        Debug.Assert(_watched > 0, "EndWatch without a matching BeginWatch.");
        _watched--;
    }

    /// <summary>
    /// Starts the operation <paramref name="begin"/>(<paramref name="state"/>, token) and returns a loop future for its
    /// outcome, completed on the loop thread. Counts as watched I/O until then. Cancelling the future (as cancelling
    /// the task that awaits it does) cancels the token, so the operation stops and nothing is consumed behind the
    /// caller's back. For one-off operations (<c>Sock*Async</c>, connect); transports reuse a
    /// <see cref="CompletionSlot{T}"/> instead.
    /// </summary>
    public Future<T> RunAsync<T, TState>(TState state, Func<TState, CancellationToken, ValueTask<T>> begin)
    {
        var future = _loop.CreateFuture<T>();
        var cts = new CancellationTokenSource();
        var slot = new CompletionSlot<T>(this, (future, cts), static slot =>
        {
            slot.Finish();
            var (f, c) = ((Future<T>, CancellationTokenSource))slot.Owner;
            c.Dispose();
            if (slot.Error is { } error)
            {
                f.TrySetException(error);
            }
            else if (!f.TrySetResult(slot.Result!) && slot.Result is IDisposable late)
            {
                late.Dispose();   // accepted after the caller gave up: nobody will own it
            }
        });
        future.AddInternalCallback(static s =>
        {
            var (slot, c) = ((CompletionSlot<T>, CancellationTokenSource))s!;
            if (slot.IsPending)
            {
                slot.Watched = false;   // nobody waits for it any more
                c.Cancel();
            }
        }, (slot, cts));
        slot.Start((state, begin, cts.Token), static s => s.begin(s.state, s.Token));
        return future;
    }

    /// <summary><see cref="RunAsync{T, TState}"/> for an operation without a result (a connect, say); the future gets true.</summary>
    public Future<bool> RunAsync<TState>(TState state, Func<TState, CancellationToken, ValueTask> begin) =>
        RunAsync((state, begin), static (s, token) => Succeeded(s.begin(s.state, token)));

    private static async ValueTask<bool> Succeeded(ValueTask operation)
    {
        await operation.ConfigureAwait(false);
        return true;
    }

    public void SetReader(int fd, Action<object?>? callback, object? state) => throw NoReadiness();

    public void SetWriter(int fd, Action<object?>? callback, object? state) => throw NoReadiness();

    public bool HasReader(int fd) => false;

    public bool HasWriter(int fd) => false;

    /// <summary>Nothing is registered per descriptor here: closing the socket or stream aborts its operations.</summary>
    public void Forget(int fd)
    {
    }

    private static NotSupportedException NoReadiness() =>
        new("The portable I/O backend has no readiness callbacks; this code path needs the epoll backend.");

    public void Dispose()
    {
        _disposed = true;
        _wait.Dispose();
    }
}
