using Asyncio.Cli.Compare.Measurements;
using System.Diagnostics;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Probes;

/// <summary>
/// Child process: creates Asyncio.NET tasks that each park on one <see cref="AsyncEvent"/>, in steps up to the cap,
/// printing the GC heap (after a full collection) and RSS at each checkpoint. Before each step it predicts the RSS the
/// step would reach from the cost per task so far and stops if that would pass the memory budget.
/// </summary>
internal static class TaskProbe
{
    public static int Run(int cap, long budgetBytes, double timeLimitSeconds, TextWriter output)
    {
        ParentWatch.Start();
        return Aio.Run(() => Measure(cap, budgetBytes, timeLimitSeconds, output), MeasureLoop.Options);
    }

    private static async Coroutine<int> Measure(int cap, long budgetBytes, double timeLimitSeconds, TextWriter output)
    {
        // The task array is allocated before the baseline: its 8 B per task is not counted.
        var tasks = new AioTask[cap];
        var gate = new AsyncEvent();
        Settle();
        long heap0 = GC.GetTotalMemory(true);
        MemorySnapshot m0 = ProcInfo.Memory();
        ThreadProbe.Emit(output, new ProbeLine
        {
            Type = "start",
            Cap = cap,
            CapReason = $"requested cap, memory budget {budgetBytes / (1024 * 1024)} MiB of RSS",
            RssBytes = m0.RssBytes,
            VmSizeBytes = m0.VmSizeBytes,
            OsThreads = m0.Threads,
            GcHeapBytes = heap0,
            Limits = new Dictionary<string, long> { ["budgetBytes"] = budgetBytes },
        });

        int created = 0;
        string stopReason = "cap";
        double rssPerTask = 1024;   // a pessimistic guess until the first checkpoint measures it
        long rssNow = m0.RssBytes;
        var clock = Stopwatch.StartNew();
        foreach (int target in ThreadProbe.Checkpoints(cap))
        {
            if (clock.Elapsed.TotalSeconds > timeLimitSeconds)
            {
                stopReason = "time limit";
                break;
            }

            if (rssNow + (target - created) * rssPerTask * 1.25 > budgetBytes)
            {
                stopReason = "memory budget";
                break;
            }

            while (created < target)
            {
                tasks[created++] = Aio.CreateTask(Park(gate));
            }

            await Aio.Sleep(0);   // every new task runs its first step and parks on the event
            double seconds = clock.Elapsed.TotalSeconds;
            long heap = GC.GetTotalMemory(true);
            MemorySnapshot m = ProcInfo.Memory();
            rssNow = m.RssBytes;
            if (created >= 1000)
            {
                rssPerTask = Math.Max(64, (double)(m.RssBytes - m0.RssBytes) / created);
            }

            ThreadProbe.Emit(output, new ProbeLine
            {
                Type = "checkpoint",
                Units = created,
                RssBytes = m.RssBytes,
                VmSizeBytes = m.VmSizeBytes,
                OsThreads = m.Threads,
                GcHeapBytes = heap,
                Seconds = seconds,
            });
        }

        var release = Stopwatch.StartNew();
        gate.Set();
        for (int i = 0; i < created; i++)
        {
            await tasks[i];
        }

        ThreadProbe.Emit(output, new ProbeLine { Type = "done", Units = created, StopReason = stopReason, Cap = cap, ReleaseSeconds = release.Elapsed.TotalSeconds });
        return 0;
    }

    private static async Coroutine Park(AsyncEvent gate) => await gate.WaitAsync();

    private static void Settle()
    {
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        GC.WaitForPendingFinalizers();
        GC.Collect(2, GCCollectionMode.Forced, blocking: true, compacting: true);
    }
}
