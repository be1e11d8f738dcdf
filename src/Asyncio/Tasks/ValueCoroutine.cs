using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// A result that is either ready now or still to be produced by a coroutine (what <see cref="ValueTask{TResult}"/> is
/// to <see cref="Task{TResult}"/>). The primitives return it so that an uncontended acquire, get or put completes
/// without a coroutine and without allocating. Await it once.
/// </summary>
/// <typeparam name="T">The result type.</typeparam>
public readonly struct ValueCoroutine<T>
{
    private readonly Coroutine<T> _coroutine;
    private readonly T _result;
    private readonly bool _hasResult;

    /// <summary>A result that is ready now.</summary>
    public ValueCoroutine(T result)
    {
        _result = result;
        _hasResult = true;
        _coroutine = default;
    }

    /// <summary>A result a coroutine will produce.</summary>
    public ValueCoroutine(Coroutine<T> coroutine)
    {
        _coroutine = coroutine;
        _result = default!;
        _hasResult = false;
    }

    /// <summary>True when the result was ready when this value was made.</summary>
    public bool IsCompletedSynchronously => _hasResult;

    /// <summary>Lets <c>await</c> get the result (running the coroutine inside the current task if there is one).</summary>
    public ValueCoroutineAwaiter<T> GetAwaiter() => _hasResult ? new(_result) : new(_coroutine.GetAwaiter());

    /// <summary>The coroutine form (to pass to <see cref="Aio.CreateTask{T}(Coroutine{T}, string?)"/>).</summary>
    public Coroutine<T> AsCoroutine() => _hasResult ? FromResult(_result) : _coroutine;

    private static async Coroutine<T> FromResult(T result) => result;

    /// <summary>Wraps a coroutine.</summary>
    public static implicit operator ValueCoroutine<T>(Coroutine<T> coroutine) => new(coroutine);
}

/// <summary>Awaits a <see cref="ValueCoroutine{T}"/>.</summary>
public readonly struct ValueCoroutineAwaiter<T> : ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly CoroutineAwaiter<T> _inner;
    private readonly T _result;
    private readonly bool _hasResult;

    internal ValueCoroutineAwaiter(T result)
    {
        _result = result;
        _hasResult = true;
        _inner = default;
    }

    internal ValueCoroutineAwaiter(CoroutineAwaiter<T> inner)
    {
        _inner = inner;
        _result = default!;
        _hasResult = false;
    }

    /// <summary>True when the result is available without suspending.</summary>
    public bool IsCompleted => _hasResult || _inner.IsCompleted;

    /// <summary>The result.</summary>
    public T GetResult() => _hasResult ? _result : _inner.GetResult();

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _inner.SuspendCore(task, frame);

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);
}

/// <summary>A completion that is either done now or still to be reached by a coroutine; see <see cref="ValueCoroutine{T}"/>.</summary>
public readonly struct ValueCoroutine
{
    private readonly Coroutine _coroutine;
    private readonly bool _pending;

    /// <summary>A completion a coroutine will reach.</summary>
    public ValueCoroutine(Coroutine coroutine)
    {
        _coroutine = coroutine;
        _pending = true;
    }

    /// <summary>Already complete.</summary>
    public static ValueCoroutine Completed => default;

    /// <summary>True when it was complete when this value was made.</summary>
    public bool IsCompletedSynchronously => !_pending;

    /// <summary>Lets <c>await</c> wait for the completion.</summary>
    public ValueCoroutineAwaiter GetAwaiter() => _pending ? new(_coroutine.GetAwaiter()) : default;

    /// <summary>The coroutine form.</summary>
    public Coroutine AsCoroutine() => _pending ? _coroutine : Done();

    private static async Coroutine Done()
    {
    }

    /// <summary>Wraps a coroutine.</summary>
    public static implicit operator ValueCoroutine(Coroutine coroutine) => new(coroutine);
}

/// <summary>Awaits a <see cref="ValueCoroutine"/>.</summary>
public readonly struct ValueCoroutineAwaiter : ICriticalNotifyCompletion, ILoopAwaiter
{
    private readonly CoroutineAwaiter _inner;
    private readonly bool _pending;

    internal ValueCoroutineAwaiter(CoroutineAwaiter inner)
    {
        _inner = inner;
        _pending = true;
    }

    /// <summary>True when complete without suspending.</summary>
    public bool IsCompleted => !_pending || _inner.IsCompleted;

    /// <summary>Rethrows the coroutine's exception, if any.</summary>
    public void GetResult()
    {
        if (_pending)
        {
            _inner.GetResult();
        }
    }

    void ILoopAwaiter.Suspend(AioTask task, AioTask frame) => _inner.SuspendCore(task, frame);

    /// <inheritdoc/>
    public void OnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);

    /// <inheritdoc/>
    public void UnsafeOnCompleted(Action continuation) => _inner.UnsafeOnCompleted(continuation);
}
