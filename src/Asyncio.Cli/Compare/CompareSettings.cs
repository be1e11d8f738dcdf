namespace Asyncio.Cli.Compare;

/// <summary>Sizes, caps and time windows of <c>aio compare</c>: <c>--quick</c> (≤ 20 s on 2 cores) or full (≤ 3 min).</summary>
internal sealed record CompareSettings(bool Quick)
{
    public static int Cores => Environment.ProcessorCount;

    /// <summary>OS threads the child process may start (it also stops at 80% of the kernel's limits).</summary>
    public int ThreadCap => Quick ? 2_000 : 10_000;

    /// <summary>Seconds the thread probe may spend starting threads.</summary>
    public double ThreadProbeSeconds => Quick ? 6 : 30;

    /// <summary>Suspended tasks the child process may create.</summary>
    public int TaskCap => Quick ? 100_000 : 1_000_000;

    /// <summary>The task probe stops before its RSS would pass this.</summary>
    public long TaskBudgetBytes => 1L << 30;

    public double TaskProbeSeconds => Quick ? 6 : 30;

    /// <summary>Seconds each ping-pong runs.</summary>
    public double SwitchSeconds => Quick ? 0.15 : 1.0;

    /// <summary>Threads racing on one counter.</summary>
    public int RaceThreads => Math.Max(4, 2 * Cores);

    /// <summary>Seconds the racing threads increment for (a count could be done before the next thread even starts).</summary>
    public double RaceSeconds => Quick ? 0.1 : 0.25;

    /// <summary>Increments per task on the loop.</summary>
    public int RaceIncrements => Quick ? 1_000_000 : 5_000_000;

    public int RaceRepeats => Quick ? 3 : 5;

    /// <summary>Increments per task when an await splits the read-modify-write (each one is a task switch).</summary>
    public int SplitIncrements => Quick ? 2_000 : 10_000;

    /// <summary>Threads started and joined one after the other.</summary>
    public int ThreadStarts => Quick ? 300 : 1_000;

    /// <summary>Tasks created and awaited one after the other.</summary>
    public int TaskStarts => Quick ? 100_000 : 1_000_000;

    /// <summary>Length of the blocking call (Thread.Sleep) next to a 10 ms ticker.</summary>
    public int BlockMilliseconds => Quick ? 200 : 500;

    /// <summary>Target time of the CPU-bound computation done on one thread.</summary>
    public double CpuSeconds => Quick ? 0.25 : 1.0;

    /// <summary>Concurrent echo connections.</summary>
    public int[] Connections => Quick ? [50, 200] : [50, 200, 1_000];

    /// <summary>Seconds of echo traffic measured per server and connection count (after a warm-up).</summary>
    public double IoWindowSeconds => Quick ? 0.4 : 1.5;

    public double IoWarmupSeconds => Quick ? 0.15 : 0.5;

    public int RequestBytes => 1024;
}
