using System.Runtime.CompilerServices;
using static Asyncio.FutureFlags;

namespace Asyncio;

/// <summary>
/// The heap box of one coroutine call: its compiler-generated state machine plus the fields that make it a frame
/// (parent link, result) and, when the coroutine runs as a task, the task itself. Making the root frame the task
/// keeps a sleeping task to one object.
/// </summary>
/// <remarks>
/// Invariants: a frame is claimed once (awaited or made a task); a nested frame is recycled into its type's pool by
/// the awaiter that reads its result, which bumps <see cref="_version"/>, so a stale <see cref="Coroutine{T}"/> copy
/// can never reach the next user of the box. Frames that became tasks are never recycled.
/// </remarks>
internal abstract class CoroutineFrame<T> : AioTask<T>, ICoroutineFrameInfo
{
    /// <summary>Bumped each time the box goes back to its pool.</summary>
    internal int _version;

    /// <summary>The coroutine method's name, e.g. <c>Program.Main</c>.</summary>
    internal abstract string MethodName { get; }

    public override string CoroutineName => MethodName;

    int ICoroutineFrameInfo.Version => _version;

    bool ICoroutineFrameInfo.IsClaimed => (_flags & Claimed) != 0;

    string ICoroutineFrameInfo.MethodName => MethodName;

    internal void SetFrameResult(T result)
    {
        _result = result;
        _flags |= FrameSucceeded;
    }

    internal void SetFrameException(Exception exception)
    {
        _outcome = exception;
        _flags |= FrameFailed;
    }

    /// <summary>Marks the coroutine consumed; throws if it was awaited or made a task before.</summary>
    internal void Claim(int version, string use)
    {
        if (_version != version || (_flags & Claimed) != 0)
        {
            throw AlreadyClaimed(use);
        }

        _flags |= Claimed;
    }

    internal InvalidOperationException AlreadyClaimed(string use) => new(
        $"Cannot {use} this coroutine ({MethodName}): it was already awaited or wrapped in a task. A coroutine runs once; " +
        "to await its outcome several times, wrap it once with Aio.CreateTask and await the task as often as you like.");

    /// <summary>Returns a finished nested frame to its pool. Only the awaiter that consumed its outcome calls this.</summary>
    internal abstract void Recycle();

    /// <summary>Drops the state machine's references once the root coroutine has finished.</summary>
    private protected abstract void ReleaseStateMachine();

    /// <summary>
    /// The task's driver: resumes the innermost suspended frame, runs a newly awaited child's first step inline, and
    /// resumes a parent when its child finishes, all without growing the stack and without a loop iteration.
    /// </summary>
    private protected override void RunStep()
    {
        EventLoop loop = _loop!;
        AioTask frame = _link ?? this;
        while (true)
        {
            loop._runningFrame = frame;
            frame.MoveNextFrame();
            loop._resumeError = null;

            AioTask? child = loop._pushedFrame;
            if (child is not null)
            {
                loop._pushedFrame = null;
                frame = child;          // the frame just awaited a fresh coroutine: run its first step now
                continue;
            }

            if ((frame._flags & FrameDone) == 0)
            {
                _link = ReferenceEquals(frame, this) ? null : frame;   // parked on a loop-native or foreign wait
                return;
            }

            if (ReferenceEquals(frame, this))
            {
                _link = null;
                return;
            }

            frame = frame._link!;       // resume the awaiting frame; its awaiter consumes the child
        }
    }

    private protected override void MarkFrameFailed(Exception e) => SetFrameException(e);

    private protected override void AfterStep()
    {
        int flags = _flags;
        if ((flags & FrameSucceeded) != 0)
        {
            ReleaseStateMachine();
            FinishFromCoroutine(true, null);
        }
        else if ((flags & FrameFailed) != 0)
        {
            var error = (Exception)_outcome!;
            _outcome = null;
            ReleaseStateMachine();
            FinishFromCoroutine(false, error);
        }
        else
        {
            CancelWaitIfMustCancel();
        }
    }
}

/// <summary>A frame holding the state machine of one coroutine method; pooled per method and thread.</summary>
internal sealed class CoroutineBox<TStateMachine, T> : CoroutineFrame<T>
    where TStateMachine : IAsyncStateMachine
{
    private const int PoolCapacity = 256;   // per method and thread: enough for the frames one busy iteration finishes

    [ThreadStatic]
    private static CoroutineBox<TStateMachine, T>?[]? t_pool;

    [ThreadStatic]
    private static int t_pooled;

    private static readonly string s_methodName = CoroutineNames.Of(typeof(TStateMachine));

    public TStateMachine StateMachine = default!;

    public static CoroutineBox<TStateMachine, T> Rent()
    {
        var pool = t_pool;
        if (pool is not null && t_pooled > 0)
        {
            int i = --t_pooled;
            var box = pool[i]!;
            pool[i] = null;
            return box;
        }

        return new CoroutineBox<TStateMachine, T>();
    }

    internal override string MethodName => s_methodName;

    internal override void MoveNextFrame() => StateMachine.MoveNext();

    internal override Type? StateMachineType => typeof(TStateMachine);

    internal override int StateMachineStateValue => StateMachineState<TStateMachine>.Read(ref StateMachine);

    private protected override void ReleaseStateMachine() => StateMachine = default!;

    internal override void Recycle()
    {
        StateMachine = default!;
        _result = default!;
        _outcome = null;
        _link = null;
        _loop = null;
        _flags = 0;
        _version++;
        var pool = t_pool ??= new CoroutineBox<TStateMachine, T>?[PoolCapacity];
        if (t_pooled < PoolCapacity)
        {
            pool[t_pooled++] = this;
        }
    }
}

/// <summary>The "no result" of a <see cref="Coroutine"/>.</summary>
internal readonly struct VoidResult
{
}

/// <summary>Where the coroutine builders hand an awaiter over when a coroutine suspends.</summary>
internal static class CoroutineSuspension
{
    // Compiled fully optimized from the first call: in unoptimized (tier-0) code the interface call on the awaiter
    // struct boxes it, which would allocate on every await until tiering caught up.
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Suspend<TAwaiter>(AioTask frame, ref TAwaiter awaiter)
        where TAwaiter : INotifyCompletion
    {
        AioTask task = frame._loop?._currentTask ?? throw NotInTask(frame);
        if (awaiter is ILoopAwaiter)
        {
            ((ILoopAwaiter)awaiter).Suspend(task, frame);
        }
        else
        {
            task.WaitOnForeign(ref awaiter);
        }
    }

    private static InvalidOperationException NotInTask(AioTask frame) =>
        new($"The coroutine {frame.CoroutineName} suspended outside of a task step. Coroutines run only inside tasks: await them, or start them with Aio.CreateTask.");
}
