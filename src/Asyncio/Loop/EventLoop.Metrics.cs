using System.Diagnostics;

namespace Asyncio;

public sealed partial class EventLoop
{
    /// <summary>
    /// Which iterations feed the histograms while someone listens: every iteration that may have waited (an idle or
    /// I/O-bound loop, where ~150 ns of records is small beside the wait), and one in 64 of the others. Three records
    /// per iteration of a loop that never waits would cost pingpong far more than 5% (one in 16 still cost ~5%). The lag
    /// histogram loses nothing to the sampling: each sample records the largest timer lateness since the previous one.
    /// </summary>
    private const long MetricsSampleMask = 63;

    // Counters read by the "Asyncio" meter's observable instruments. The loop thread writes the plain ones; a metrics
    // collection thread reads them (64-bit reads are atomic here; a value one increment old is fine).
    internal long _statTasksCreated;
    internal long _statTasksFailed;
    internal long _statTasksCancelled;
    internal long _statLostErrors;
    internal long _statSlowCallbacks;
    internal long _statStalls;

    /// <summary>Pending tasks right now (the registry's size), for <c>asyncio.tasks.alive</c>.</summary>
    internal int AliveTaskCount => Volatile.Read(ref _taskCount);

    /// <summary>The largest lateness of a timer since the last sample, in clock ticks. Loop thread only.</summary>
    private long _maxLagTicks;

    private void RecordIterationSample(int batchSize, long startedAt)
    {
        double seconds = Stopwatch.GetElapsedTime(startedAt).TotalSeconds;
        AsyncioMetrics.RecordIteration(batchSize, seconds, TicksToSeconds(_maxLagTicks));
        _maxLagTicks = 0;
    }
}
