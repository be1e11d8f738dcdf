using System.Runtime.CompilerServices;

namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>With inspection on: when each task was created (loop clock ticks), for the age <c>aio ps</c> shows.</summary>
    private ConditionalWeakTable<AioTask, StrongBox<long>>? _taskBirths;

    /// <summary>The managed id of the thread running the loop, or 0.</summary>
    internal int OwnerThreadId => Volatile.Read(ref _ownerThread);

    private void NoteTaskBirth(AioTask task) => _taskBirths?.AddOrUpdate(task, new StrongBox<long>(NowTicks));

    /// <summary>When <paramref name="task"/> was created, in loop seconds, if inspection recorded it.</summary>
    internal double? TaskBirth(AioTask task) =>
        _taskBirths is { } births && births.TryGetValue(task, out StrongBox<long>? born) ? TicksToSeconds(born.Value) : null;

    /// <summary>
    /// The pending tasks. Exact on the loop thread; from another thread (a stalled loop's inspection) a racy copy whose
    /// entries are each a task, possibly one that just finished.
    /// </summary>
    internal AioTask[] TaskRegistrySnapshot()
    {
        AioTask?[] tasks = _tasks;
        int count = Math.Min(Volatile.Read(ref _taskCount), tasks.Length);
        var list = new List<AioTask>(count);
        for (int i = 0; i < count; i++)
        {
            if (tasks[i] is { } t)
            {
                list.Add(t);
            }
        }

        return list.ToArray();
    }

    /// <summary>What the loop runs now, for a snapshot of a stalled loop; null when it is not inside a callback.</summary>
    internal string? DescribeRunningStep() => CaptureRunningStep()?.Describe();
}
