namespace Asyncio.Benchmarks.Harness;

/// <summary>
/// The spawn measurement, in two passes of the same code: a timing pass (wall time from the first task created to the
/// last one awaited; no forced GC inside the window) and a memory pass (GC heap after a full GC, and RSS, read while
/// every task sleeps, each minus a baseline). Two passes because a forced full GC of a million live tasks takes
/// 0.1–1 s: inside the timed window it would either hide in the sleep or, when it overruns the first deadlines,
/// be charged to the runtime.
/// </summary>
internal sealed class SpawnMeter
{
    private readonly bool _memory;
    private long _heap0, _rss0, _t0, _heap1, _rss1, _tSleeping;

    private SpawnMeter(bool memory) => _memory = memory;

    /// <summary>Runs <paramref name="pass"/> once for timing, once for memory, and merges the two samples.</summary>
    public static Sample TwoPasses(Func<bool, Sample> pass)
    {
        Sample timing = pass(false);
        Measure.Settle();
        Sample memory = pass(true);
        return new Sample { Count = timing.Count, Note = $"{timing.Note}; {memory.Note}" }
            .Set(Metric.Seconds, timing.Get(Metric.Seconds))
            .Set(Metric.BytesPerTask, memory.Get(Metric.BytesPerTask))
            .Set(Metric.RssBytesPerTask, memory.Get(Metric.RssBytesPerTask));
    }

    /// <summary>
    /// Takes the baseline (after a full, memory-returning GC) and starts the clock. Allocate the task array first.
    /// With <paramref name="memory"/> false only the clock runs.
    /// </summary>
    public static SpawnMeter Start(bool memory)
    {
        var m = new SpawnMeter(memory);
        Measure.SettleAggressive();
        if (memory)
        {
            m._heap0 = Measure.HeapAfterFullGc();
            m._rss0 = Measure.RssBytes();
        }

        m._t0 = Measure.Now;
        return m;
    }

    /// <summary>Every task is now suspended in its sleep: in the memory pass, reads the heap (after a full GC) and RSS.</summary>
    public void Sleeping()
    {
        if (_memory)
        {
            _heap1 = Measure.HeapAfterFullGc();
            _rss1 = Measure.RssBytes();
        }

        _tSleeping = Measure.Now;
    }

    /// <summary>All tasks awaited: seconds beyond the sleep (timing pass) or bytes per task (memory pass).</summary>
    public Sample Done(int tasks, double sleepSeconds)
    {
        long t1 = Measure.Now;
        double wall = Measure.Seconds(_t0, t1);
        double sleepingAt = Measure.Seconds(_t0, _tSleeping);
        var sample = new Sample { Count = tasks };
        if (!_memory)
        {
            sample.Set(Metric.Seconds, wall - sleepSeconds);
            sample.Note = $"timing pass: wall {wall:F3} s, all created and asleep at {sleepingAt:F3} s";
            return sample;
        }

        sample.Set(Metric.BytesPerTask, (double)(_heap1 - _heap0) / tasks)
              .Set(Metric.RssBytesPerTask, _rss0 < 0 ? double.NaN : (double)(_rss1 - _rss0) / tasks);
        sample.Note = $"memory pass: read at {sleepingAt:F3} s";
        return sample;
    }
}
