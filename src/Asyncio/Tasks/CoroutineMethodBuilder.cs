using System.ComponentModel;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// The async method builder of <see cref="Coroutine{T}"/>. The compiler uses it; user code does not. It boxes the state
/// machine without running it (coroutines are cold), records the result on the frame, and hands loop-native awaiters
/// the suspending task instead of a continuation delegate.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct CoroutineMethodBuilder<T>
{
    private CoroutineFrame<T>? _frame;

    /// <summary>Creates a builder.</summary>
    public static CoroutineMethodBuilder<T> Create() => default;

    /// <summary>Boxes the state machine into a (pooled) frame without running it.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        var box = CoroutineBox<TStateMachine, T>.Rent();
        _frame = box;                    // first, so the copy below carries it
        box.StateMachine = stateMachine;
        if (EventLoop.s_anyDebugLoop)
        {
            EventLoop.TrackIfDebug(box);   // debug mode: reported at Close if never awaited
        }
    }

    /// <summary>The cold coroutine.</summary>
    public Coroutine<T> Task => new(_frame!, _frame!._version);

    /// <summary>Not used: the frame owns the state machine.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>The method returned.</summary>
    public void SetResult(T result) => _frame!.SetFrameResult(result);

    /// <summary>The method threw.</summary>
    public void SetException(Exception exception) => _frame!.SetFrameException(exception);

    /// <summary>The method awaits something that is not complete.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine
        => CoroutineSuspension.Suspend(_frame!, ref awaiter);

    /// <summary>The method awaits something that is not complete.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine
        => CoroutineSuspension.Suspend(_frame!, ref awaiter);
}

/// <summary>The async method builder of <see cref="Coroutine"/>; see <see cref="CoroutineMethodBuilder{T}"/>.</summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public struct CoroutineMethodBuilder
{
    private CoroutineFrame<VoidResult>? _frame;

    /// <summary>Creates a builder.</summary>
    public static CoroutineMethodBuilder Create() => default;

    /// <summary>Boxes the state machine into a (pooled) frame without running it.</summary>
    public void Start<TStateMachine>(ref TStateMachine stateMachine)
        where TStateMachine : IAsyncStateMachine
    {
        var box = CoroutineBox<TStateMachine, VoidResult>.Rent();
        _frame = box;
        box.StateMachine = stateMachine;
        if (EventLoop.s_anyDebugLoop)
        {
            EventLoop.TrackIfDebug(box);   // debug mode: reported at Close if never awaited
        }
    }

    /// <summary>The cold coroutine.</summary>
    public Coroutine Task => new(_frame!, _frame!._version);

    /// <summary>Not used: the frame owns the state machine.</summary>
    public void SetStateMachine(IAsyncStateMachine stateMachine)
    {
    }

    /// <summary>The method returned.</summary>
    public void SetResult() => _frame!.SetFrameResult(default);

    /// <summary>The method threw.</summary>
    public void SetException(Exception exception) => _frame!.SetFrameException(exception);

    /// <summary>The method awaits something that is not complete.</summary>
    public void AwaitOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : INotifyCompletion
        where TStateMachine : IAsyncStateMachine
        => CoroutineSuspension.Suspend(_frame!, ref awaiter);

    /// <summary>The method awaits something that is not complete.</summary>
    public void AwaitUnsafeOnCompleted<TAwaiter, TStateMachine>(ref TAwaiter awaiter, ref TStateMachine stateMachine)
        where TAwaiter : ICriticalNotifyCompletion
        where TStateMachine : IAsyncStateMachine
        => CoroutineSuspension.Suspend(_frame!, ref awaiter);
}
