using System.Runtime.CompilerServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>A task whose coroutine returns a <typeparamref name="T"/> (asyncio's <c>Task</c>).</summary>
/// <typeparam name="T">The result type.</typeparam>
public abstract class AioTask<T> : AioTask, IAioAwaitable<T>, IResultSource<T>
{
    /// <summary>The result; for a coroutine frame, stored when its method returns.</summary>
    internal T _result = default!;

    private protected AioTask()
    {
    }

    /// <summary>
    /// The task's result (asyncio's <c>result()</c>); rethrows its exception, or <see cref="CancelledError"/> if it was
    /// cancelled. Never blocks: reading it before the task is done is an error.
    /// </summary>
    /// <exception cref="InvalidStateError">The task is still pending.</exception>
    /// <exception cref="CancelledError">The task was cancelled.</exception>
    public T Result
    {
        get
        {
            CheckThread(nameof(Result));
            ThrowIfNotSucceeded();
            return _result;
        }
    }

    /// <summary>Lets <c>await task</c> return the task's result.</summary>
    public new AioTaskAwaiter<T> GetAwaiter() => new(this);

    internal override object? BoxedResult() => _result is VoidResult ? null : _result;

    T IResultSource<T>.ResultAfterDone() => ResultAfterDone();

    internal T ResultAfterDone()
    {
        ThrowIfNotSucceeded();
        return _result;
    }

    /// <inheritdoc/>
    public override string ToString() => (_flags & StateMask) == Succeeded
        ? $"<AioTask finished name='{Name}' coro={CoroutineName} result={_result}>"
        : base.ToString();
}

/// <summary>Awaits an <see cref="AioTask{T}"/>: loop-native (cancelling the awaiting task cancels the awaited one).</summary>
public readonly struct AioTaskAwaiter<T> : ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly AioTask<T> _task;

    internal AioTaskAwaiter(AioTask<T> task) => _task = task;

    /// <summary>True once the task is done.</summary>
    public bool IsCompleted
    {
        get
        {
            _task.CheckAwaitLoop();
            return _task.IsDone;
        }
    }

    /// <summary>The task's result, or its exception / <see cref="CancelledError"/>.</summary>
    public T GetResult()
    {
        AioTask.ThrowIfResumedWithError();
        return _task.ResultAfterDone();
    }

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => task.WaitOnFuture(_task);

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        _task.CheckThread("await (from plain .NET async code)");
        _task.AddContinuation(continuation);
    }
}

/// <summary>
/// An awaiter the coroutine builder knows: instead of handing it a continuation delegate, the builder tells it which
/// task (and frame) suspends, so it can park the task without allocating and cancel the wait on <c>Cancel</c>.
/// </summary>
internal interface ILoopAwaiter
{
    /// <summary>Called by the coroutine builder when <paramref name="frame"/>, running in <paramref name="task"/>, awaits this.</summary>
    void Suspend(AioTask task, AioTask frame);
}
