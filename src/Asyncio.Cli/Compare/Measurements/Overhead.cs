using System.Diagnostics;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>What it costs to start a unit of concurrency and see it finish, one after the other.</summary>
/// <param name="ThreadMicroseconds">Creating, starting and joining one OS thread that does nothing.</param>
/// <param name="TaskNanoseconds">Creating and awaiting one task whose coroutine yields once.</param>
/// <param name="TaskBytes">Bytes allocated per such task.</param>
/// <param name="ThreadBytes">Managed bytes allocated per thread (the stack and kernel structures are not on the GC heap).</param>
internal sealed record OverheadResult(int Threads, double ThreadMicroseconds, double ThreadBytes, int Tasks, double TaskNanoseconds, double TaskBytes);

internal static class Overhead
{
    public static OverheadResult Measure(CompareSettings s, CancellationToken cancel)
    {
        StartThreads(Math.Max(10, s.ThreadStarts / 10));   // warm-up
        cancel.ThrowIfCancellationRequested();
        long b0 = GC.GetTotalAllocatedBytes(true);
        var clock = Stopwatch.StartNew();
        StartThreads(s.ThreadStarts);
        double threadUs = clock.Elapsed.TotalMicroseconds / s.ThreadStarts;
        double threadBytes = (double)(GC.GetTotalAllocatedBytes(true) - b0) / s.ThreadStarts;
        cancel.ThrowIfCancellationRequested();

        Aio.Run(() => StartTasks(Math.Max(1000, s.TaskStarts / 10)), MeasureLoop.Options);   // warm-up
        var (taskNs, taskBytes) = Aio.Run(async () =>
        {
            long a0 = GC.GetAllocatedBytesForCurrentThread();
            var c = Stopwatch.StartNew();
            await StartTasks(s.TaskStarts);
            double ns = c.Elapsed.TotalNanoseconds / s.TaskStarts;
            return (ns, (double)(GC.GetAllocatedBytesForCurrentThread() - a0) / s.TaskStarts);
        }, MeasureLoop.Options);

        return new OverheadResult(s.ThreadStarts, threadUs, threadBytes, s.TaskStarts, taskNs, taskBytes);
    }

    private static void StartThreads(int n)
    {
        for (int i = 0; i < n; i++)
        {
            var t = new Thread(static () => { }) { IsBackground = true };
            t.Start();
            t.Join();
        }
    }

    private static async Coroutine StartTasks(int n)
    {
        for (int i = 0; i < n; i++)
        {
            await Aio.CreateTask(YieldOnce());
        }

        static async Coroutine YieldOnce() => await Aio.Sleep(0);
    }
}
