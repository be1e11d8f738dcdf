using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// Builds a <see cref="LoopSnapshot"/> from a loop's task registry and await graph. On the loop thread it is exact; from
/// the inspection thread (a stalled loop) every task is read defensively and one that cannot be read is skipped.
/// </summary>
internal static class SnapshotBuilder
{
    public static long IdOf(AioTask task) => (uint)RuntimeHelpers.GetHashCode(task);

    public static LoopSnapshot Build(EventLoop loop, int index, bool onLoop, string? running)
    {
        AioTask[] tasks = loop.TaskRegistrySnapshot();
        var ids = new HashSet<long>();
        foreach (AioTask t in tasks)
        {
            ids.Add(IdOf(t));
        }

        double now = loop.Time();
        var result = new List<TaskSnapshot>(tasks.Length);
        foreach (AioTask task in tasks)
        {
            try
            {
                result.Add(Describe(loop, task, now, onLoop, ids));
            }
            catch (Exception) when (!onLoop)
            {
                // A torn read of a stalled loop's structures: leave this task out of the best-effort view.
            }
        }

        return new LoopSnapshot(index, loop.OwnerThreadId, onLoop, now, running, result);
    }

    private static TaskSnapshot Describe(EventLoop loop, AioTask task, double now, bool onLoop, HashSet<long> ids)
    {
        string name = onLoop ? task.Name : task.NameIfAssigned ?? $"Task@{IdOf(task):x8}";
        string state = task.Cancelling() > 0 ? "cancelling" : "pending";
        double age = loop.TaskBirth(task) is double born ? Math.Max(0, now - born) : 0;
        var stack = AwaitGraph.StackInnermostFirst(task, limit: 32).Select(f => f.ToString()).ToList();
        string awaits;
        try
        {
            awaits = task.DescribeWait();
        }
        catch (Exception) when (!onLoop)
        {
            awaits = "unknown (read while the loop was busy)";
        }

        var awaitedBy = new List<long>();
        foreach (AioTask awaiter in AwaitingTasks(task))
        {
            long id = IdOf(awaiter);
            if (ids.Contains(id) && !awaitedBy.Contains(id))
            {
                awaitedBy.Add(id);
            }
        }

        return new TaskSnapshot(IdOf(task), name, state, age, task.CoroutineName, stack, awaits, awaitedBy);
    }

    /// <summary>The tasks waiting for <paramref name="task"/>, following gathers, shields and waits through to tasks.</summary>
    private static IEnumerable<AioTask> AwaitingTasks(AioTask task)
    {
        var seen = new HashSet<AioFuture>(ReferenceEqualityComparer.Instance) { task };
        var pending = new Stack<AioFuture>();
        pending.Push(task);
        while (pending.Count > 0)
        {
            foreach (AioFuture awaiter in AwaitGraph.AwaitersOf(pending.Pop()))
            {
                if (!seen.Add(awaiter))
                {
                    continue;
                }

                if (awaiter is AioTask t)
                {
                    yield return t;
                }
                else
                {
                    pending.Push(awaiter);
                }
            }
        }
    }
}
