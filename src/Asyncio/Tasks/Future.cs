using System.Runtime.CompilerServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>
/// A low-level placeholder for a result that is not there yet (asyncio's <c>Future</c>): someone calls
/// <see cref="SetResult"/>, <see cref="SetException"/> or <see cref="Cancel"/> once, and whoever awaits it resumes on
/// the loop's next iteration. Bound to one loop; use it on that loop's thread.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public sealed class Future<T> : AioFuture, IAioAwaitable<T>, IResultSource<T>
{
    private T _result = default!;

    /// <summary>Creates a future bound to the loop running on this thread (asyncio's <c>Future()</c>).</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread; use <see cref="EventLoop.CreateFuture{T}"/>.</exception>
    public Future()
        : base(EventLoop.Current ?? throw ThrowHelper.NoRunningLoop("new Future<T>()"))
    {
    }

    /// <summary>Creates a future bound to <paramref name="loop"/> (asyncio's <c>loop.create_future()</c>).</summary>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/> is null.</exception>
    public Future(EventLoop loop)
        : base(loop ?? throw new ArgumentNullException(nameof(loop)))
    {
        loop.CheckNotClosed("new Future<T>(loop)");
    }

    /// <summary>
    /// The result (asyncio's <c>result()</c>); rethrows the exception the future failed with. Reading it counts as
    /// retrieving the outcome.
    /// </summary>
    /// <exception cref="InvalidStateError">The future is still pending.</exception>
    /// <exception cref="CancelledError">The future was cancelled.</exception>
    public T Result
    {
        get
        {
            CheckThread(nameof(Result));
            ThrowIfNotSucceeded();
            return _result;
        }
    }

    /// <summary>Finishes the future with <paramref name="result"/> and schedules its callbacks.</summary>
    /// <exception cref="InvalidStateError">The future is already done.</exception>
    public void SetResult(T result)
    {
        CheckThread(nameof(SetResult));
        if (!TrySetResult(result))
        {
            throw AlreadyDone(nameof(SetResult));
        }
    }

    /// <summary>Finishes the future with <paramref name="exception"/> and schedules its callbacks.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    /// <exception cref="InvalidStateError">The future is already done.</exception>
    public void SetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        CheckThread(nameof(SetException));
        if (!TrySetException(exception))
        {
            throw AlreadyDone(nameof(SetException));
        }
    }

    /// <summary>Like <see cref="SetResult"/>, but returns false instead of throwing when the future is already done.</summary>
    public bool TrySetResult(T result)
    {
        CheckThread(nameof(TrySetResult));
        if (IsDone)
        {
            return false;
        }

        _result = result;
        CompleteWith(Succeeded, null);
        return true;
    }

    /// <summary>Like <see cref="SetException"/>, but returns false instead of throwing when the future is already done.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="exception"/> is null.</exception>
    public bool TrySetException(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        CheckThread(nameof(TrySetException));
        if (IsDone)
        {
            return false;
        }

        CompleteWith(Failed, exception);
        return true;
    }

    /// <summary>
    /// Cancels the future and schedules its callbacks (asyncio's <c>cancel(msg)</c>). Returns false if it was already
    /// done. Awaiting a cancelled future throws <see cref="CancelledError"/> carrying <paramref name="msg"/>.
    /// </summary>
    public override bool Cancel(string? msg = null)
    {
        CheckThread(nameof(Cancel));
        _flags |= Retrieved;
        if (IsDone)
        {
            return false;
        }

        CompleteWith(Cancelled, new CancelledError(msg));
        return true;
    }

    /// <summary>Lets <c>await future</c> work in coroutines and in plain .NET async methods.</summary>
    public new FutureAwaiter<T> GetAwaiter() => new(this);

    internal override object? BoxedResult() => _result;

    T IResultSource<T>.ResultAfterDone() => ResultAfterDone();

    internal T ResultAfterDone()
    {
        ThrowIfNotSucceeded();
        return _result;
    }

    private InvalidStateError AlreadyDone(string member) =>
        new($"{member} was called on {Describe()}, which is already done ({StateName}). A future's outcome can be set only once; " +
            "use TrySetResult/TrySetException when two parties may race.");

    internal override string Describe() => $"<Future<{typeof(T).Name}> {StateName}>";

    /// <inheritdoc/>
    public override string ToString() => (_flags & StateMask) switch
    {
        Succeeded => $"<Future<{typeof(T).Name}> finished result={_result}>",
        Failed => $"<Future<{typeof(T).Name}> finished exception={((Exception)_outcome!).GetType().Name}: {((Exception)_outcome!).Message}>",
        _ => Describe(),
    };
}

/// <summary>Awaits a <see cref="Future{T}"/>: loop-native in coroutines (a cancel of the awaiting task cancels the future).</summary>
public readonly struct FutureAwaiter<T> : ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly Future<T> _future;

    internal FutureAwaiter(Future<T> future) => _future = future;

    /// <summary>True once the future is done.</summary>
    public bool IsCompleted
    {
        get
        {
            _future.CheckAwaitLoop();
            return _future.IsDone;
        }
    }

    /// <summary>The result, or the exception / <see cref="CancelledError"/> the future finished with.</summary>
    public T GetResult()
    {
        AioTask.ThrowIfResumedWithError();
        return _future.ResultAfterDone();
    }

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => task.WaitOnFuture(_future);

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        _future.CheckThread("await (from plain .NET async code)");
        _future.AddContinuation(continuation);
    }
}
