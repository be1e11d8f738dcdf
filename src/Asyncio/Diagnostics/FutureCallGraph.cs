using System.Text;

namespace Asyncio;

/// <summary>
/// Who awaits whom, from one future or task outwards (Python 3.14's <c>asyncio.capture_call_graph</c>): the task's
/// coroutine chain, innermost first, and the graphs of everything awaiting it: tasks suspended on it, a gather or
/// shield or wait that includes it, the parent task of its <see cref="TaskGroup"/>. Made by
/// <see cref="Aio.CaptureCallGraph(AioFuture?, int?)"/>; <see cref="ToString"/> formats it as Python's
/// <c>format_call_graph</c> does.
/// </summary>
public sealed class FutureCallGraph
{
    internal FutureCallGraph(AioFuture future, string description, IReadOnlyList<CoroutineStackFrame> callStack, IReadOnlyList<FutureCallGraph> awaitedBy)
    {
        Future = future;
        Description = description;
        CallStack = callStack;
        AwaitedBy = awaitedBy;
    }

    /// <summary>The future or task this node is about.</summary>
    public AioFuture Future { get; }

    /// <summary>How <see cref="Future"/> looked when the graph was captured, e.g. <c>&lt;AioTask pending name='worker' coro=Program.Worker&gt;</c>.</summary>
    public string Description { get; }

    /// <summary>For a task, its coroutines from the innermost (suspended or running now) to the task's own; empty for a future.</summary>
    public IReadOnlyList<CoroutineStackFrame> CallStack { get; }

    /// <summary>The futures and tasks waiting for <see cref="Future"/>.</summary>
    public IReadOnlyList<FutureCallGraph> AwaitedBy { get; }

    /// <summary>
    /// <code>
    /// * &lt;AioTask pending name='worker' coro=Program.Worker&gt;
    /// + Call stack:
    /// |   at Program.Fetch in /src/Program.cs:line 30
    /// |   at Program.Worker in /src/Program.cs:line 21
    /// + Awaited by:
    ///    * &lt;AioTask pending name='Task-1' coro=Program.Main&gt;
    /// </code>
    /// </summary>
    public override string ToString()
    {
        var sb = new StringBuilder();
        Render(sb, "");
        return sb.ToString().TrimEnd('\n');
    }

    private void Render(StringBuilder sb, string indent)
    {
        sb.Append(indent).Append("* ").Append(Description).Append('\n');
        if (CallStack.Count > 0)
        {
            sb.Append(indent).Append("+ Call stack:\n");
            foreach (CoroutineStackFrame frame in CallStack)
            {
                sb.Append(indent).Append("|   at ").Append(frame).Append(frame.IsRunning ? " (running)" : "").Append('\n');
            }
        }

        if (AwaitedBy.Count > 0)
        {
            sb.Append(indent).Append("+ Awaited by:\n");
            foreach (FutureCallGraph awaiter in AwaitedBy)
            {
                awaiter.Render(sb, indent + "   ");
            }
        }
    }
}
