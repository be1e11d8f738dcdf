using System.Diagnostics.Metrics;

namespace Asyncio;

/// <summary>
/// The <c>Asyncio</c> meter (<see cref="System.Diagnostics.Metrics"/>), visible without code through
/// <c>dotnet-counters monitor --counters Asyncio -p PID</c>. Counters are observed from the loops' own tallies at
/// collection time, so they cost the loop nothing; the histograms are fed by sampled iterations (see EventLoop.MetricsSampleMask).
/// </summary>
internal static class AsyncioMetrics
{
    public const string MeterName = "Asyncio";

    public static readonly Meter Meter = new(MeterName, typeof(AsyncioMetrics).Assembly.GetName().Version?.ToString());

    private static readonly Histogram<int> s_batchSize = Meter.CreateHistogram<int>(
        "asyncio.loop.batch.size", "{callback}", "Callbacks run by one loop iteration (the ready queue's depth when it began); sampled: each iteration after a wait, one in 64 of the others.");

    private static readonly Histogram<double> s_batchDuration = Meter.CreateHistogram<double>(
        "asyncio.loop.batch.duration", "s", "Time one loop iteration spent running its callbacks; sampled: each iteration after a wait, one in 64 of the others.");

    private static readonly Histogram<double> s_lag = Meter.CreateHistogram<double>(
        "asyncio.loop.lag", "s", "How late the latest due timer ran, at most, since the previous sample (loop clock).");

    /// <summary>Live loops; closed loops fold their tallies into the totals. Guarded by itself.</summary>
    private static readonly List<WeakReference<EventLoop>> s_loops = new();
    private static int s_pruneAt = 64;
    private static readonly long[] s_closedTotals = new long[(int)Tally.Count];

    private enum Tally
    {
        Iterations,
        TasksCreated,
        TasksFailed,
        TasksCancelled,
        LostErrors,
        SlowCallbacks,
        Stalls,
        Count,
    }

    static AsyncioMetrics()
    {
        Meter.CreateObservableCounter("asyncio.loop.iterations", () => Sum(Tally.Iterations), "{iteration}", "Loop iterations run.");
        Meter.CreateObservableCounter("asyncio.tasks.created", () => Sum(Tally.TasksCreated), "{task}", "Tasks created.");
        Meter.CreateObservableCounter("asyncio.tasks.failed", () => Sum(Tally.TasksFailed), "{task}", "Tasks that ended with an exception.");
        Meter.CreateObservableCounter("asyncio.tasks.cancelled", () => Sum(Tally.TasksCancelled), "{task}", "Tasks that ended cancelled.");
        Meter.CreateObservableCounter("asyncio.errors.lost", () => Sum(Tally.LostErrors), "{error}", "Errors nobody retrieved: exceptions never retrieved, tasks destroyed while pending, coroutines never awaited, callback exceptions.");
        Meter.CreateObservableCounter("asyncio.loop.slow_callbacks", () => Sum(Tally.SlowCallbacks), "{callback}", "Callbacks reported as slow in debug mode.");
        Meter.CreateObservableCounter("asyncio.loop.stalls", () => Sum(Tally.Stalls), "{stall}", "Stalls reported by the watchdog.");
        Meter.CreateObservableUpDownCounter("asyncio.tasks.alive", AliveTasks, "{task}", "Tasks created and not yet done, over all open loops.");
        Meter.CreateObservableUpDownCounter("asyncio.loops.open", OpenLoops, "{loop}", "Event loops created and not yet closed.");
    }

    /// <summary>True while some listener records the histograms (checked once per iteration).</summary>
    public static bool HistogramsEnabled => s_batchSize.Enabled || s_batchDuration.Enabled || s_lag.Enabled;

    public static void RecordIteration(int batchSize, double seconds, double lagSeconds)
    {
        s_batchSize.Record(batchSize);
        s_batchDuration.Record(seconds);
        s_lag.Record(lagSeconds);
    }

    public static void Register(EventLoop loop)
    {
        lock (s_loops)
        {
            s_loops.Add(new WeakReference<EventLoop>(loop));
            if (s_loops.Count >= s_pruneAt)
            {
                s_loops.RemoveAll(static w => !w.TryGetTarget(out _));
                s_pruneAt = Math.Max(64, s_loops.Count * 2);
            }
        }
    }

    public static void Unregister(EventLoop loop)
    {
        lock (s_loops)
        {
            int i = s_loops.FindIndex(w => w.TryGetTarget(out EventLoop? l) && ReferenceEquals(l, loop));
            if (i < 0)
            {
                return;
            }

            s_loops.RemoveAt(i);
            for (int t = 0; t < (int)Tally.Count; t++)
            {
                s_closedTotals[t] += Read(loop, (Tally)t);
            }
        }
    }

    private static long Read(EventLoop loop, Tally tally) => tally switch
    {
        Tally.Iterations => loop.Iterations,
        Tally.TasksCreated => Volatile.Read(ref loop._statTasksCreated),
        Tally.TasksFailed => Volatile.Read(ref loop._statTasksFailed),
        Tally.TasksCancelled => Volatile.Read(ref loop._statTasksCancelled),
        Tally.LostErrors => Volatile.Read(ref loop._statLostErrors),
        Tally.SlowCallbacks => Volatile.Read(ref loop._statSlowCallbacks),
        Tally.Stalls => Volatile.Read(ref loop._statStalls),
        _ => 0,
    };

    private static long Sum(Tally tally)
    {
        lock (s_loops)
        {
            long total = s_closedTotals[(int)tally];
            foreach (var w in s_loops)
            {
                if (w.TryGetTarget(out EventLoop? loop))
                {
                    total += Read(loop, tally);
                }
            }

            return total;
        }
    }

    private static long AliveTasks()
    {
        lock (s_loops)
        {
            long total = 0;
            foreach (var w in s_loops)
            {
                if (w.TryGetTarget(out EventLoop? loop))
                {
                    total += loop.AliveTaskCount;
                }
            }

            return total;
        }
    }

    private static long OpenLoops()
    {
        lock (s_loops)
        {
            return s_loops.Count(static w => w.TryGetTarget(out _));
        }
    }
}
