using System.Diagnostics;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>
/// Lost updates of a shared counter, <c>counter = counter + 1</c> done without a lock: by OS threads (one run per
/// repetition, all started together), with <see cref="Interlocked.Increment(ref int)"/> for comparison, by loop tasks
/// that switch only between increments, and by loop tasks whose read and write an <c>await Aio.Sleep(0)</c> splits.
/// </summary>
internal sealed record RaceResult(
    int Threads,
    int IncrementsPerThread,
    long[] ThreadsLost,
    double[] ThreadsSeconds,
    long InterlockedLost,
    int Tasks,
    int IncrementsPerTask,
    long TasksLost,
    int SplitIncrementsPerTask,
    long[] SplitLost)
{
    public long ExpectedPerThreadRun => (long)Threads * IncrementsPerThread;

    public long ExpectedSplit => (long)Tasks * SplitIncrementsPerTask;
}

internal static class Races
{
    public static RaceResult Measure(CompareSettings s, CancellationToken cancel)
    {
        var lost = new long[s.RaceRepeats];
        var seconds = new double[s.RaceRepeats];
        for (int r = 0; r < s.RaceRepeats; r++)
        {
            cancel.ThrowIfCancellationRequested();
            var clock = Stopwatch.StartNew();
            lost[r] = (long)s.RaceThreads * s.RaceIncrements - RaceThreads(s.RaceThreads, s.RaceIncrements, atomic: false);
            seconds[r] = clock.Elapsed.TotalSeconds;
        }

        long interlockedLost = (long)s.RaceThreads * s.RaceIncrements - RaceThreads(s.RaceThreads, s.RaceIncrements, atomic: true);

        int tasks = s.RaceThreads;
        long tasksLost = (long)tasks * s.RaceIncrements - Aio.Run(() => LoopIncrements(tasks, s.RaceIncrements));

        var split = new long[s.RaceRepeats];
        for (int r = 0; r < s.RaceRepeats; r++)
        {
            cancel.ThrowIfCancellationRequested();
            split[r] = (long)tasks * s.SplitIncrements - Aio.Run(() => LoopSplitIncrements(tasks, s.SplitIncrements));
        }

        return new RaceResult(s.RaceThreads, s.RaceIncrements, lost, seconds, interlockedLost, tasks, s.RaceIncrements, tasksLost, s.SplitIncrements, split);
    }

    private sealed class Counter
    {
        public int Value;
    }

    /// <summary>Threads all released at once by a barrier; returns the final count.</summary>
    private static long RaceThreads(int threads, int increments, bool atomic)
    {
        var counter = new Counter();
        using var start = new Barrier(threads);
        var all = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            all[t] = new Thread(() =>
            {
                start.SignalAndWait();
                if (atomic)
                {
                    for (int i = 0; i < increments; i++)
                    {
                        Interlocked.Increment(ref counter.Value);
                    }
                }
                else
                {
                    for (int i = 0; i < increments; i++)
                    {
                        // Python's `counter += 1`: read, add, write back. The volatile accesses keep the JIT from
                        // folding the loop into one addition; they do not make the three steps atomic.
                        int v = Volatile.Read(ref counter.Value);
                        Volatile.Write(ref counter.Value, v + 1);
                    }
                }
            })
            {
                IsBackground = true,
            };
            all[t].Start();
        }

        foreach (Thread t in all)
        {
            t.Join();
        }

        return counter.Value;
    }

    /// <summary>Tasks increment without awaiting in between, and yield to each other every 1,000 increments.</summary>
    private static async Coroutine<long> LoopIncrements(int tasks, int increments)
    {
        var counter = new Counter();
        var all = new AioTask[tasks];
        for (int t = 0; t < tasks; t++)
        {
            all[t] = Aio.CreateTask(Increment(counter, increments));
        }

        foreach (AioTask t in all)
        {
            await t;
        }

        return counter.Value;

        static async Coroutine Increment(Counter counter, int increments)
        {
            for (int i = 0; i < increments; i++)
            {
                int v = counter.Value;
                counter.Value = v + 1;
                if (i % 1000 == 999)
                {
                    await Aio.Sleep(0);
                }
            }
        }
    }

    /// <summary>Tasks whose read-modify-write spans an await: another task runs between the read and the write.</summary>
    private static async Coroutine<long> LoopSplitIncrements(int tasks, int increments)
    {
        var counter = new Counter();
        var all = new AioTask[tasks];
        for (int t = 0; t < tasks; t++)
        {
            all[t] = Aio.CreateTask(Increment(counter, increments));
        }

        foreach (AioTask t in all)
        {
            await t;
        }

        return counter.Value;

        static async Coroutine Increment(Counter counter, int increments)
        {
            for (int i = 0; i < increments; i++)
            {
                int v = counter.Value;
                await Aio.Sleep(0);   // e.g. `balance = await fetch(); ...`: the await lets every other task in
                counter.Value = v + 1;
            }
        }
    }
}
