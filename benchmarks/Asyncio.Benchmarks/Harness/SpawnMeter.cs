namespace Asyncio.Benchmarks.Harness;

/// <summary>
/// The spawn measurement: a GC-heap and RSS baseline, the same two figures while every task sleeps, and the wall time
/// from the first task created to the last one awaited.
/// </summary>
internal sealed class SpawnMeter
{
    private long _heap0, _rss0, _t0, _heap1, _rss1, _tSleeping;

    /// <summary>Takes the baseline (after a full, memory-returning GC) and starts the clock. Allocate the task array first.</summary>
    public static SpawnMeter Start()
    {
        var m = new SpawnMeter();
        Measure.SettleAggressive();
        m._heap0 = Measure.HeapAfterFullGc();
        m._rss0 = Measure.RssBytes();
        m._t0 = Measure.Now;
        return m;
    }

    /// <summary>Every task is now suspended in its sleep: reads the heap (after a full GC) and RSS.</summary>
    public void Sleeping()
    {
        _heap1 = Measure.HeapAfterFullGc();
        _rss1 = Measure.RssBytes();
        _tSleeping = Measure.Now;
    }

    /// <summary>All tasks awaited: bytes per task and seconds beyond the sleep.</summary>
    public Sample Done(int tasks, double sleepSeconds)
    {
        long t1 = Measure.Now;
        double wall = Measure.Seconds(_t0, t1);
        double sleepingAt = Measure.Seconds(_t0, _tSleeping);
        var sample = new Sample { Count = tasks }
            .Set(Metric.BytesPerTask, (double)(_heap1 - _heap0) / tasks)
            .Set(Metric.RssBytesPerTask, _rss0 < 0 ? double.NaN : (double)(_rss1 - _rss0) / tasks)
            .Set(Metric.Seconds, wall - sleepSeconds);
        sample.Note = sleepingAt < sleepSeconds
            ? $"wall {wall:F3} s; memory read at {sleepingAt:F3} s"
            : $"wall {wall:F3} s; WARNING: memory read at {sleepingAt:F3} s, after the sleep had ended: tasks were waking up";
        return sample;
    }
}
