using System.Diagnostics;
using System.Reflection;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// Reads the await relations the loop already keeps: a task's chain of coroutine frames (<see cref="AioTask._link"/>),
/// and a future's done-callbacks (the tasks suspended on it, and the gathers, shields, waits and task groups linked to
/// it). Loop thread, or another thread for a best-effort view of a stalled loop (then a torn read may drop an entry).
/// </summary>
internal static class AwaitGraph
{
    /// <summary>The task's coroutine frames, innermost first.</summary>
    public static List<CoroutineStackFrame> StackInnermostFirst(AioTask task, int? limit)
    {
        var frames = new List<CoroutineStackFrame>();
        if (task.IsDone)
        {
            return frames;
        }

        if (task.StateMachineType is null)
        {
            if (task.DotNetStateMachine() is { } boxed && AwaitSites.ReadState(boxed) is int state)
            {
                frames.Add(CoroutineStackFrame.Suspended(boxed.GetType(), state));
            }

            return frames;
        }

        EventLoop? loop = task._loop;
        bool running = loop is not null && ReferenceEquals(loop._currentTask, task) && EventLoop.Current == loop;
        AioTask? frame = running ? loop!._runningFrame ?? task : task._link ?? task;
        StackTrace? here = running ? new StackTrace(1, fNeedFileInfo: true) : null;
        int guard = 0;
        while (frame is not null && guard++ < 10_000 && (limit is not int max || frames.Count < max))
        {
            Type? type = frame.StateMachineType;
            if (type is null)
            {
                break;
            }

            int state = frame.StateMachineStateValue;
            frames.Add(state == -1 && here is not null && FindRunning(here, type) is { } live ? live : CoroutineStackFrame.Suspended(type, state));
            if (ReferenceEquals(frame, task))
            {
                break;
            }

            frame = frame._link;   // a nested frame links to the frame awaiting it
        }

        return frames;
    }

    /// <summary>The running coroutine's line, from the thread's own stack (its MoveNext is on it).</summary>
    private static CoroutineStackFrame? FindRunning(StackTrace trace, Type stateMachineType)
    {
        foreach (StackFrame f in trace.GetFrames())
        {
            MethodBase? m = f.GetMethod();
            if (m is not null && m.Name == "MoveNext" && m.DeclaringType == stateMachineType)
            {
                return new CoroutineStackFrame(CoroutineNames.Of(stateMachineType), f.GetFileName(), f.GetFileLineNumber(), running: true);
            }
        }

        return null;
    }

    /// <summary>The futures and tasks waiting for <paramref name="future"/>, in registration order, without repeats.</summary>
    public static List<AioFuture> AwaitersOf(AioFuture future)
    {
        var result = new List<AioFuture>();
        foreach (object target in future.CallbackTargets())
        {
            AioFuture? awaiter = target switch
            {
                AioTask task => task,
                AioFuture.InternalCallback { State: IAwaiterLink link } => link.AwaiterOf(future),
                AioFuture.InternalCallback { State: ValueTuple<TaskGroup, AioTask> member } => member.Item1.ParentTask,
                AioFuture.InternalCallback { State: AioFuture waiter } => waiter,
                _ => null,
            };
            if (awaiter is not null && !result.Contains(awaiter))
            {
                result.Add(awaiter);
            }
        }

        return result;
    }

    public static FutureCallGraph Capture(AioFuture future, int? limit)
    {
        var onPath = new HashSet<AioFuture>(ReferenceEqualityComparer.Instance);
        return Build(future, limit, onPath);
    }

    private static FutureCallGraph Build(AioFuture future, int? limit, HashSet<AioFuture> onPath)
    {
        onPath.Add(future);
        IReadOnlyList<CoroutineStackFrame> stack = future is AioTask task ? StackInnermostFirst(task, limit) : [];
        var awaitedBy = new List<FutureCallGraph>();
        foreach (AioFuture awaiter in AwaitersOf(future))
        {
            if (!onPath.Contains(awaiter))
            {
                awaitedBy.Add(Build(awaiter, limit, onPath));
            }
        }

        onPath.Remove(future);
        return new FutureCallGraph(future, future.Describe(), stack, awaitedBy);
    }
}

/// <summary>The state of an internal done-callback that stands for "this future is awaited by that one".</summary>
internal interface IAwaiterLink
{
    /// <summary>The future waiting for <paramref name="awaited"/>, or null if this link is not an await of it.</summary>
    AioFuture? AwaiterOf(AioFuture awaited);
}
