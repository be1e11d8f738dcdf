using System.Diagnostics;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>
/// Which OS threads run the units: <paramref name="Tasks"/> tasks on one loop record the thread each step runs on
/// (<paramref name="TaskThreads"/> distinct), and the process's OS thread count before and while they are suspended.
/// </summary>
internal sealed record ExecutionResult(int Tasks, int TaskThreads, int OsThreadsBefore, int OsThreadsWithTasks);

/// <summary>A debugging aid measured: wall time of one hour of <see cref="Aio.Sleep(double)"/> in virtual time.</summary>
internal sealed record VirtualTimeResult(double VirtualSeconds, double WallMilliseconds);

internal static class ExecutionModel
{
    public static ExecutionResult Measure(int tasks) => Aio.Run(async () =>
    {
        int before = ProcInfo.Memory().Threads;
        var seen = new HashSet<int>();
        var gate = new AsyncEvent();
        var all = new AioTask[tasks];
        for (int i = 0; i < tasks; i++)
        {
            all[i] = Aio.CreateTask(Record(seen, gate));
        }

        await Aio.Sleep(0);
        int during = ProcInfo.Memory().Threads;
        gate.Set();
        foreach (AioTask t in all)
        {
            await t;
        }

        return new ExecutionResult(tasks, seen.Count, before, during);

        static async Coroutine Record(HashSet<int> seen, AsyncEvent gate)
        {
            seen.Add(Environment.CurrentManagedThreadId);
            await gate.WaitAsync();
            seen.Add(Environment.CurrentManagedThreadId);
        }
    }, MeasureLoop.Options);

    public static VirtualTimeResult VirtualHour()
    {
        var clock = Stopwatch.StartNew();
        double virtualSeconds = Aio.Run(async () =>
        {
            EventLoop loop = Aio.GetRunningLoop();
            double t0 = loop.Time();
            await Aio.Sleep(3600);
            return loop.Time() - t0;
        }, new LoopOptions { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo, Debug = false });
        return new VirtualTimeResult(virtualSeconds, clock.Elapsed.TotalMilliseconds);
    }
}
