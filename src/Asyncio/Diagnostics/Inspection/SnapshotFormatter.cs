using System.Globalization;
using System.Text;

namespace Asyncio;

/// <summary>The text of <c>aio ps</c> (a table) and <c>aio pstree</c> (who awaits whom, as a tree).</summary>
public static class SnapshotFormatter
{
    /// <summary>
    /// One table per loop: id, name, state, age, coroutine (innermost frame), what it awaits, and who awaits it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is null.</exception>
    public static string FormatTable(ProcessSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var sb = new StringBuilder();
        foreach (LoopSnapshot loop in snapshot.Loops)
        {
            AppendLoopHeader(sb, snapshot, loop);
            var names = loop.Tasks.ToDictionary(t => t.Id, t => t.Name);
            var rows = new List<string[]> { new[] { "ID", "NAME", "STATE", "AGE", "COROUTINE", "AWAITS", "AWAITED BY" } };
            foreach (TaskSnapshot t in loop.Tasks.OrderBy(t => t.Name, StringComparer.Ordinal))
            {
                rows.Add(new[]
                {
                    t.Id.ToString("x8", CultureInfo.InvariantCulture),
                    t.Name,
                    t.State,
                    t.AgeSeconds.ToString("0.0", CultureInfo.InvariantCulture) + "s",
                    t.Stack.Count > 0 ? t.Stack[0] : t.Coroutine,
                    t.Awaits,
                    t.AwaitedBy.Count == 0 ? "-" : string.Join(", ", t.AwaitedBy.Select(id => names.GetValueOrDefault(id, id.ToString("x8", CultureInfo.InvariantCulture)))),
                });
            }

            AppendTable(sb, rows);
        }

        return sb.ToString().TrimEnd('\n');
    }

    /// <summary>
    /// One tree per loop: each task that nobody awaits is a root, and under each task come the tasks it awaits, with
    /// the task's coroutine chain (innermost last) on the way.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="snapshot"/> is null.</exception>
    public static string FormatTree(ProcessSnapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        var sb = new StringBuilder();
        foreach (LoopSnapshot loop in snapshot.Loops)
        {
            AppendLoopHeader(sb, snapshot, loop);
            var byId = loop.Tasks.ToDictionary(t => t.Id);
            var awaitedTasks = new Dictionary<long, List<TaskSnapshot>>();
            foreach (TaskSnapshot t in loop.Tasks)
            {
                foreach (long awaiter in t.AwaitedBy)
                {
                    if (!awaitedTasks.TryGetValue(awaiter, out var list))
                    {
                        awaitedTasks[awaiter] = list = new List<TaskSnapshot>();
                    }

                    list.Add(t);
                }
            }

            var roots = loop.Tasks.Where(t => t.AwaitedBy.Count == 0 || t.AwaitedBy.All(id => !byId.ContainsKey(id)))
                .OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
            var onPath = new HashSet<long>();
            for (int i = 0; i < roots.Count; i++)
            {
                AppendNode(sb, roots[i], "", i == roots.Count - 1, awaitedTasks, onPath);
            }

            if (roots.Count == 0 && loop.Tasks.Count > 0)
            {
                sb.Append("(every task is awaited by another: a cycle)\n");
            }
        }

        return sb.ToString().TrimEnd('\n');
    }

    private static void AppendNode(
        StringBuilder sb, TaskSnapshot task, string indent, bool last, Dictionary<long, List<TaskSnapshot>> awaitedTasks, HashSet<long> onPath)
    {
        sb.Append(indent).Append(last ? "└── " : "├── ").Append("(T) ").Append(task.Name).Append('\n');
        string inner = indent + (last ? "    " : "│   ");
        if (!onPath.Add(task.Id))
        {
            sb.Append(inner).Append("└── (cycle)\n");
            return;
        }

        // The coroutine chain, outermost first, each frame one level deeper; the awaited tasks hang under the innermost.
        var children = awaitedTasks.GetValueOrDefault(task.Id)?.OrderBy(t => t.Name, StringComparer.Ordinal).ToList() ?? new List<TaskSnapshot>();
        string level = inner;
        for (int f = task.Stack.Count - 1; f >= 0; f--)
        {
            sb.Append(level).Append("└── ").Append(task.Stack[f]).Append('\n');
            level += "    ";
        }

        for (int c = 0; c < children.Count; c++)
        {
            AppendNode(sb, children[c], level, c == children.Count - 1, awaitedTasks, onPath);
        }

        onPath.Remove(task.Id);
    }

    private static void AppendLoopHeader(StringBuilder sb, ProcessSnapshot snapshot, LoopSnapshot loop)
    {
        sb.Append("Process ").Append(snapshot.ProcessId).Append(", loop ").Append(loop.Index)
          .Append(loop.ThreadId != 0 ? $" (thread {loop.ThreadId})" : " (not running)")
          .Append(", t=").Append(loop.Time.ToString("0.000", CultureInfo.InvariantCulture))
          .Append(", ").Append(loop.Tasks.Count).Append(loop.Tasks.Count == 1 ? " task" : " tasks").Append('\n');
        if (!loop.Responsive)
        {
            sb.Append("The loop did not answer: it is stalled").Append(loop.Running is { } r ? $" in {r}" : "")
              .Append(". This view was read from outside and may miss a task.\n");
        }
    }

    private static void AppendTable(StringBuilder sb, List<string[]> rows)
    {
        int columns = rows[0].Length;
        var widths = new int[columns];
        foreach (string[] row in rows)
        {
            for (int c = 0; c < columns; c++)
            {
                widths[c] = Math.Max(widths[c], row[c].Length);
            }
        }

        foreach (string[] row in rows)
        {
            for (int c = 0; c < columns; c++)
            {
                sb.Append(c == columns - 1 ? row[c] : row[c].PadRight(widths[c] + 2));
            }

            sb.Append('\n');
        }

        sb.Append('\n');
    }
}
