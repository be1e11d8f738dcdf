using System.Runtime.CompilerServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>
/// The return type of an <c>async Coroutine&lt;T&gt;</c> method: a cold coroutine, as a Python coroutine object.
/// Calling the method runs nothing; <c>await</c> runs it inside the current task (its first step synchronously, with
/// no extra loop iteration), and <see cref="Aio.CreateTask{T}(Coroutine{T}, string?)"/> schedules it as a new task.
/// A coroutine can be awaited or made a task once.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
[AsyncMethodBuilder(typeof(CoroutineMethodBuilder<>))]
public readonly struct Coroutine<T> : IAioAwaitable<T>
{
    internal readonly CoroutineFrame<T>? Frame;
    internal readonly int Version;

    internal Coroutine(CoroutineFrame<T> frame, int version)
    {
        Frame = frame;
        Version = version;
    }

    /// <summary>The coroutine method's name, e.g. <c>Program.Main</c>.</summary>
    public string Name => Frame?.MethodName ?? "<default coroutine>";

    /// <summary>Lets <c>await</c> run the coroutine inside the current task.</summary>
    /// <exception cref="InvalidOperationException">The coroutine was already awaited or made a task, or is a default value.</exception>
    public CoroutineAwaiter<T> GetAwaiter()
    {
        CoroutineFrame<T> frame = Claim("await");
        return new CoroutineAwaiter<T>(frame, Version);
    }

    internal CoroutineFrame<T> Claim(string use)
    {
        CoroutineFrame<T> frame = Frame ?? throw DefaultValue(use);
        frame.Claim(Version, use);
        return frame;
    }

    AioFuture IAioAwaitable.ToFuture(EventLoop loop) => loop.CreateTask(this);

    (object Owner, int Version) IAioAwaitable.IdentityKey => (Frame!, Version);   // a default coroutine (no frame) fails in ToFuture

    internal static InvalidOperationException DefaultValue(string use) => new(
        $"Cannot {use} a default(Coroutine<{typeof(T).Name}>): it holds no coroutine. Call an async Coroutine method to get one.");

    /// <inheritdoc/>
    public override string ToString() => $"<coroutine {Name}>";
}

/// <summary>
/// The return type of an <c>async Coroutine</c> method: a cold coroutine without a result; see <see cref="Coroutine{T}"/>.
/// </summary>
[AsyncMethodBuilder(typeof(CoroutineMethodBuilder))]
public readonly struct Coroutine : IAioAwaitable
{
    internal readonly CoroutineFrame<VoidResult>? Frame;
    internal readonly int Version;

    internal Coroutine(CoroutineFrame<VoidResult> frame, int version)
    {
        Frame = frame;
        Version = version;
    }

    /// <summary>The coroutine method's name, e.g. <c>Program.Main</c>.</summary>
    public string Name => Frame?.MethodName ?? "<default coroutine>";

    /// <summary>Lets <c>await</c> run the coroutine inside the current task.</summary>
    /// <exception cref="InvalidOperationException">The coroutine was already awaited or made a task, or is a default value.</exception>
    public CoroutineAwaiter GetAwaiter()
    {
        CoroutineFrame<VoidResult> frame = Claim("await");
        return new CoroutineAwaiter(new CoroutineAwaiter<VoidResult>(frame, Version));
    }

    AioFuture IAioAwaitable.ToFuture(EventLoop loop) => loop.CreateTask(this);

    (object Owner, int Version) IAioAwaitable.IdentityKey => (Frame!, Version);   // a default coroutine (no frame) fails in ToFuture

    internal CoroutineFrame<VoidResult> Claim(string use)
    {
        CoroutineFrame<VoidResult> frame = Frame ?? throw new InvalidOperationException(
            $"Cannot {use} a default(Coroutine): it holds no coroutine. Call an async Coroutine method to get one.");
        frame.Claim(Version, use);
        return frame;
    }

    /// <inheritdoc/>
    public override string ToString() => $"<coroutine {Name}>";
}

/// <summary>Awaits a <see cref="Coroutine{T}"/>: runs it inside the awaiting task, or as a task of its own when plain .NET async code awaits it.</summary>
public readonly struct CoroutineAwaiter<T> : ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly CoroutineFrame<T> _frame;
    private readonly int _version;

    internal CoroutineAwaiter(CoroutineFrame<T> frame, int version)
    {
        _frame = frame;
        _version = version;
    }

    /// <summary>
    /// False until the coroutine has run to its end (a fresh coroutine has not started). Throws when no loop runs on
    /// this thread: a coroutine only runs on a loop.
    /// </summary>
    public bool IsCompleted
    {
        get
        {
            if (_frame._version == _version && ((_frame._flags & FrameDone) != 0 || _frame.IsDone))
            {
                return true;
            }

            return EventLoop.Current is not null ? false : throw ThrowHelper.NoRunningLoop($"Awaiting the coroutine {_frame.MethodName}");
        }
    }

    /// <summary>The coroutine's result, or the exception it ended with.</summary>
    public T GetResult()
    {
        CoroutineFrame<T> frame = _frame;
        if (frame._version != _version)
        {
            throw frame.AlreadyClaimed("read the result of");
        }

        int flags = frame._flags;
        if ((flags & IsTask) != 0)
        {
            return frame.ResultAfterDone();   // it ran as a task because plain .NET async code awaited it
        }

        if ((flags & FrameFailed) != 0)
        {
            var error = (Exception)frame._outcome!;
            frame.Recycle();
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        if ((flags & FrameSucceeded) == 0)
        {
            throw new InvalidOperationException(
                $"The coroutine {frame.MethodName} has not finished; GetResult cannot wait for it. Await the coroutine instead.");
        }

        T result = frame._result;
        frame.Recycle();
        return result;
    }

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => SuspendCore(task, frame);

    /// <summary>The awaiting frame suspends: the task's driver runs this coroutine's first step next.</summary>
    internal void SuspendCore(AioTask task, AioTask frame)
    {
        _frame._link = frame;
        _frame._loop = task._loop;
        task._loop!._pushedFrame = _frame;
    }

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => UnsafeOnCompleted(continuation);

    /// <summary>Plain .NET async code awaits the coroutine: it runs as a task of its own (started eagerly).</summary>
    public void UnsafeOnCompleted(Action continuation)
    {
        ArgumentNullException.ThrowIfNull(continuation);
        EventLoop loop = EventLoop.Current ?? throw ThrowHelper.NoRunningLoop($"Awaiting the coroutine {_frame.MethodName} from plain .NET async code");
        loop.StartFrameAsTask(_frame, name: null, eager: true);
        _frame.AddContinuation(continuation);
    }
}

/// <summary>Awaits a <see cref="Coroutine"/>; see <see cref="CoroutineAwaiter{T}"/>.</summary>
public readonly struct CoroutineAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly CoroutineAwaiter<VoidResult> _inner;

    internal CoroutineAwaiter(CoroutineAwaiter<VoidResult> inner) => _inner = inner;

    /// <summary>False until the coroutine has run to its end.</summary>
    public bool IsCompleted => _inner.IsCompleted;

    /// <summary>Rethrows the exception the coroutine ended with, if any.</summary>
    public void GetResult() => _inner.GetResult();

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _inner.SuspendCore(task, frame);

    internal void SuspendCore(AioTask task, AioTask frame) => _inner.SuspendCore(task, frame);

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);
}
