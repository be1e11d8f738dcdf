using System.Runtime.CompilerServices;

namespace Asyncio.IO;

/// <summary>
/// One .NET asynchronous operation at a time (a receive, a send, an accept, a pipe read...) whose outcome is handed to
/// the loop: the completing thread stores <see cref="Result"/> or <see cref="Error"/> and posts to the
/// <see cref="CompletionSelector"/>, which runs the owner's callback on the loop thread. Reused for every operation
/// of its owner, so a busy connection allocates nothing per operation.
/// </summary>
/// <remarks>
/// Invariants: <see cref="IsPending"/> from <see cref="Start{TState}"/> until the callback calls <see cref="Finish"/>;
/// <see cref="Watched"/> only while pending. Result and Error are written by the completing thread before the post and
/// read by the loop thread after it (the post's queue orders them).
/// </remarks>
internal sealed class CompletionSlot<T>
{
    private static readonly Action<object?> s_runOnLoop = static s =>
    {
        var slot = (CompletionSlot<T>)s!;
        slot._onLoop(slot);
    };

    private readonly CompletionSelector _io;
    private readonly Action<CompletionSlot<T>> _onLoop;
    private readonly Action _onCompleted;
    private ConfiguredValueTaskAwaitable<T>.ConfiguredValueTaskAwaiter _awaiter;
    private bool _watched;

    /// <summary>A slot of <paramref name="owner"/>; <paramref name="onLoop"/> runs on the loop after each operation.</summary>
    public CompletionSlot(CompletionSelector io, object owner, Action<CompletionSlot<T>> onLoop)
    {
        _io = io;
        Owner = owner;
        _onLoop = onLoop;
        _onCompleted = OnCompleted;
    }

    /// <summary>The transport, server or future the slot belongs to.</summary>
    public object Owner { get; }

    /// <summary>An operation was started and its callback has not run yet. Loop thread.</summary>
    public bool IsPending { get; private set; }

    /// <summary>The outcome of the last operation, valid in the callback.</summary>
    public T? Result { get; private set; }

    /// <summary>What the last operation threw (null on success), valid in the callback.</summary>
    public Exception? Error { get; private set; }

    /// <summary>
    /// Whether the pending operation counts as watched I/O for virtual time (<see cref="CompletionSelector.WatchedCount"/>).
    /// A transport whose reading is paused leaves its receive outstanding but stops watching it, as epoll drops the
    /// reader. Loop thread.
    /// </summary>
    public bool Watched
    {
        get => _watched;
        set
        {
            value &= IsPending;
            if (value == _watched)
            {
                return;
            }

            _watched = value;
            if (value)
            {
                _io.BeginWatch();
            }
            else
            {
                _io.EndWatch();
            }
        }
    }

    /// <summary>
    /// Loop thread: starts <paramref name="begin"/>(<paramref name="state"/>), watched. A synchronous throw counts as
    /// the operation's error. Even an operation that completes at once is delivered through the loop's queue, so the
    /// callback never runs inside the caller.
    /// </summary>
    public void Start<TState>(TState state, Func<TState, ValueTask<T>> begin)
    {
        System.Diagnostics.Debug.Assert(!IsPending, "A completion slot runs one operation at a time.");
        IsPending = true;
        Watched = true;
        ValueTask<T> operation;
        try
        {
            operation = begin(state);
        }
        catch (Exception e)
        {
            operation = ValueTask.FromException<T>(e);
        }

        // Registered through a copy: the completing thread may clear the field before the registration returns.
        var awaiter = operation.ConfigureAwait(false).GetAwaiter();
        _awaiter = awaiter;
        if (awaiter.IsCompleted)
        {
            OnCompleted();
        }
        else
        {
            awaiter.UnsafeOnCompleted(_onCompleted);
        }
    }

    /// <summary>Any thread: takes the outcome and posts the callback (dropped once the loop is closed).</summary>
    private void OnCompleted()
    {
        try
        {
            Result = _awaiter.GetResult();
            Error = null;
        }
        catch (Exception e)
        {
            Result = default;
            Error = e;
        }

        _awaiter = default;
        _io.Post(s_runOnLoop, this);
    }

    /// <summary>Loop thread, first thing in the callback: the operation is over and no longer watched.</summary>
    public void Finish()
    {
        Watched = false;
        IsPending = false;
    }
}
