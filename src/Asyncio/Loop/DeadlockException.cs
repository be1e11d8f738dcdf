namespace Asyncio;

/// <summary>
/// Thrown by a loop running in virtual time when the awaited work can never finish: nothing is ready, no timer is
/// scheduled, and no outside work (threads, foreign awaits, I/O) can post back. The message lists each pending task
/// and what it awaits.
/// </summary>
public sealed class DeadlockException : InvalidOperationException
{
    internal DeadlockException(AioFuture waitedFor, IReadOnlyList<string> pendingTasks, int? seed)
        : base(BuildMessage(waitedFor, pendingTasks, seed))
    {
        PendingTasks = pendingTasks;
        Seed = seed;
    }

    /// <summary>One line per pending task: its name, its coroutine and what it awaits.</summary>
    public IReadOnlyList<string> PendingTasks { get; }

    /// <summary>The seed of the seeded schedule the run used, or null for FIFO.</summary>
    public int? Seed { get; }

    private static string BuildMessage(AioFuture waitedFor, IReadOnlyList<string> tasks, int? seed)
    {
        var sb = new System.Text.StringBuilder();
        sb.Append("Deadlock: the loop is idle in virtual time, no timer is scheduled and nothing outside the loop can wake it, ");
        sb.Append("so ").Append(waitedFor).Append(" can never finish.");
        if (seed is int s)
        {
            sb.Append(" (seeded schedule, seed ").Append(s).Append(')');
        }

        sb.Append(tasks.Count == 0 ? "\nNo task is pending." : "\nPending tasks:");
        foreach (string t in tasks)
        {
            sb.Append("\n  ").Append(t);
        }

        return sb.ToString();
    }
}
