namespace Asyncio.Cli.Compare.Measurements;

/// <summary>
/// Lost updates of a shared counter, <c>counter = counter + 1</c> done without a lock: by OS threads (all released
/// together, incrementing for <paramref name="ThreadSeconds"/>, each counting its own increments), with
/// <see cref="Interlocked.Increment(ref int)"/> for comparison, by loop tasks that switch only between increments, and
/// by loop tasks whose read and write an <c>await Aio.Sleep(0)</c> splits.
/// </summary>
internal sealed record RaceResult(
    int Threads,
    double ThreadSeconds,
    long[] ThreadsIncrements,
    long[] ThreadsLost,
    long InterlockedIncrements,
    long InterlockedLost,
    int Tasks,
    int IncrementsPerTask,
    long TasksLost,
    int SplitIncrementsPerTask,
    long[] SplitLost)
{
    public long ExpectedSplit => (long)Tasks * SplitIncrementsPerTask;
}

internal static class Races
{
    public static RaceResult Measure(CompareSettings s, CancellationToken cancel)
    {
        var lost = new long[s.RaceRepeats];
        var done = new long[s.RaceRepeats];
        for (int r = 0; r < s.RaceRepeats; r++)
        {
            cancel.ThrowIfCancellationRequested();
            (done[r], long counted) = RaceThreads(s.RaceThreads, s.RaceSeconds, atomic: false);
            lost[r] = done[r] - counted;
        }

        var (interlockedDone, interlockedCounted) = RaceThreads(s.RaceThreads, s.RaceSeconds, atomic: true);

        int tasks = s.RaceThreads;
        long tasksLost = (long)tasks * s.RaceIncrements - Aio.Run(() => LoopIncrements(tasks, s.RaceIncrements), MeasureLoop.Options);

        var split = new long[s.RaceRepeats];
        for (int r = 0; r < s.RaceRepeats; r++)
        {
            cancel.ThrowIfCancellationRequested();
            split[r] = (long)tasks * s.SplitIncrements - Aio.Run(() => LoopSplitIncrements(tasks, s.SplitIncrements), MeasureLoop.Options);
        }

        return new RaceResult(
            s.RaceThreads, s.RaceSeconds, done, lost, interlockedDone, interlockedDone - interlockedCounted, tasks, s.RaceIncrements, tasksLost, s.SplitIncrements, split);
    }

    private sealed class Counter
    {
        public int Value;
    }

    /// <summary>
    /// Threads released at once by a barrier increment for <paramref name="seconds"/>; returns how many increments they
    /// made (each counts its own) and what the shared counter says.
    /// </summary>
    private static (long Done, long Counted) RaceThreads(int threads, double seconds, bool atomic)
    {
        var counter = new Counter();
        bool stop = false;
        long done = 0;
        using var start = new Barrier(threads + 1);
        var all = new Thread[threads];
        for (int t = 0; t < threads; t++)
        {
            all[t] = new Thread(() =>
            {
                long mine = 0;
                start.SignalAndWait();
                while (!Volatile.Read(ref stop))
                {
                    for (int i = 0; i < 1024; i++)
                    {
                        if (atomic)
                        {
                            Interlocked.Increment(ref counter.Value);
                        }
                        else
                        {
                            // Python's `counter += 1`: read, add, write back. The volatile accesses keep the JIT from
                            // folding the loop into one addition; they do not make the three steps one.
                            int v = Volatile.Read(ref counter.Value);
                            Volatile.Write(ref counter.Value, v + 1);
                        }
                    }

                    mine += 1024;
                }

                Interlocked.Add(ref done, mine);
            })
            {
                IsBackground = true,
            };
            all[t].Start();
        }

        start.SignalAndWait();
        Thread.Sleep(TimeSpan.FromSeconds(seconds));
        Volatile.Write(ref stop, true);
        foreach (Thread t in all)
        {
            t.Join();
        }

        return (done, counter.Value);
    }

    /// <summary>Tasks increment without awaiting in between, and yield to each other every 1,000 increments.</summary>
    private static Coroutine<long> LoopIncrements(int tasks, int increments) =>
        RunOnCounter(tasks, counter => Increment(counter, increments));

    /// <summary>Tasks whose read-modify-write spans an await: another task runs between the read and the write.</summary>
    private static Coroutine<long> LoopSplitIncrements(int tasks, int increments) =>
        RunOnCounter(tasks, counter => SplitIncrement(counter, increments));

    /// <summary>Runs <paramref name="tasks"/> tasks of <paramref name="body"/> on one shared counter; its final value.</summary>
    private static async Coroutine<long> RunOnCounter(int tasks, Func<Counter, Coroutine> body)
    {
        var counter = new Counter();
        var all = new AioTask[tasks];
        for (int t = 0; t < tasks; t++)
        {
            all[t] = Aio.CreateTask(body(counter));
        }

        foreach (AioTask t in all)
        {
            await t;
        }

        return counter.Value;
    }

    private static async Coroutine Increment(Counter counter, int increments)
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

    private static async Coroutine SplitIncrement(Counter counter, int increments)
    {
        for (int i = 0; i < increments; i++)
        {
            int v = counter.Value;
            await Aio.Sleep(0);   // e.g. `balance = await fetch(); ...`: the await lets every other task in
            counter.Value = v + 1;
        }
    }
}
