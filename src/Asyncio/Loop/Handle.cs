namespace Asyncio;

/// <summary>
/// A callback queued with <see cref="EventLoop.CallSoon(Action)"/> or <see cref="EventLoop.CallSoonThreadSafe(Action)"/>
/// (asyncio's <c>Handle</c>). A small struct: queueing a callback allocates nothing.
/// </summary>
public readonly struct Handle : IEquatable<Handle>
{
    private readonly object? _owner;   // the EventLoop (ready-queue item) or a ThreadSafeCall (inbox item)
    private readonly long _seq;

    internal Handle(object owner, long seq)
    {
        _owner = owner;
        _seq = seq;
    }

    /// <summary>
    /// Prevents the callback from running, if it has not run yet; returns true if it was still pending.
    /// Call it on the loop thread (a handle from <see cref="EventLoop.CallSoonThreadSafe(Action)"/> may be cancelled
    /// from any thread).
    /// </summary>
    public bool Cancel() => _owner switch
    {
        EventLoop loop => loop.CancelReady(_seq),
        ThreadSafeCall call => call.Cancel(),
        _ => false,
    };

    /// <summary>True while the callback is queued and neither ran nor was cancelled.</summary>
    public bool IsPending => _owner switch
    {
        EventLoop loop => loop.IsReadyPending(_seq),
        ThreadSafeCall call => call.IsPending,
        _ => false,
    };

    /// <inheritdoc/>
    public bool Equals(Handle other) => ReferenceEquals(_owner, other._owner) && _seq == other._seq;

    /// <inheritdoc/>
    public override bool Equals(object? obj) => obj is Handle h && Equals(h);

    /// <inheritdoc/>
    public override int GetHashCode() => HashCode.Combine(_owner, _seq);

    /// <summary>Equality of handles.</summary>
    public static bool operator ==(Handle left, Handle right) => left.Equals(right);

    /// <summary>Inequality of handles.</summary>
    public static bool operator !=(Handle left, Handle right) => !left.Equals(right);

    /// <inheritdoc/>
    public override string ToString() => $"<Handle #{_seq} {(IsPending ? "pending" : "done or cancelled")}>";
}

/// <summary>A callback posted from another thread; it waits in the loop's inbox until the next iteration.</summary>
internal sealed class ThreadSafeCall
{
    private const int Pending = 0, Taken = 1, Cancelled = 2;

    public readonly Action<object?> Callback;
    public readonly object? State;
    public readonly ExecutionContext? Context;
    private int _status;

    public ThreadSafeCall(Action<object?> callback, object? state, ExecutionContext? context)
    {
        Callback = callback;
        State = state;
        Context = context;
    }

    public bool IsPending => Volatile.Read(ref _status) == Pending;

    public bool Cancel() => Interlocked.CompareExchange(ref _status, Cancelled, Pending) == Pending;

    /// <summary>Claims the call for running; false if it was cancelled first.</summary>
    public bool TryTake() => Interlocked.CompareExchange(ref _status, Taken, Pending) == Pending;
}
