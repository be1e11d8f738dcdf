using System.Diagnostics;
using System.Globalization;

namespace Asyncio;

/// <summary>
/// A thread that notices, while it happens, that a loop has not come back to its wait step for longer than a
/// threshold: the loop bumps <see cref="EventLoop._stepSeq"/> before every callback; if the number stands still while
/// the loop is not waiting, one callback has been running all that time. Reports name the callback (the task, its
/// coroutine, the await it resumed from) and how long so far; a second report says how long the stall lasted.
/// </summary>
/// <remarks>Reads the loop's fields without locks: they are single words written by the loop thread.</remarks>
internal sealed class StallWatchdog : IDisposable
{
    private readonly EventLoop _loop;
    private readonly TimeSpan _threshold;
    private readonly ManualResetEventSlim _stop = new();
    private readonly Thread _thread;

    /// <summary>The stall being reported, and when it began; watchdog thread only (then Dispose, after the join).</summary>
    private string? _stalled;
    private long _since;

    public StallWatchdog(EventLoop loop, TimeSpan threshold)
    {
        _loop = loop;
        _threshold = threshold;
        _thread = new Thread(Watch) { IsBackground = true, Name = "Asyncio stall watchdog" };
        _thread.Start();
    }

    private void Watch()
    {
        // Sampled four times per threshold: a stall is reported between 1 and 1.25 thresholds after it began.
        TimeSpan period = TimeSpan.FromTicks(Math.Max(TimeSpan.TicksPerMillisecond, _threshold.Ticks / 4));
        long lastSeq = Volatile.Read(ref _loop._stepSeq);
        _since = Stopwatch.GetTimestamp();
        while (!_stop.Wait(period))
        {
            long seq = Volatile.Read(ref _loop._stepSeq);
            long now = Stopwatch.GetTimestamp();
            if (seq != lastSeq || _loop._inWaitStep || !_loop.IsRunning)
            {
                ReportEndIfStalled(now);
                lastSeq = seq;
                _since = now;
                continue;
            }

            if (_stalled is null && Stopwatch.GetElapsedTime(_since, now) >= _threshold)
            {
                EventLoop.StepInfo? step = _loop.CaptureRunningStep();
                _stalled = step?.Describe() ?? "the loop itself (between callbacks)";
                Interlocked.Increment(ref _loop._statStalls);
                _loop.LogWarning(StallText(_stalled, step, now - _since));
            }
        }
    }

    private void ReportEndIfStalled(long now)
    {
        if (_stalled is { } stalled)
        {
            _stalled = null;
            _loop.LogWarning($"The event loop was stalled for {Seconds(now - _since)} seconds by {stalled}; it runs again.");
        }
    }

    private static string StallText(string what, EventLoop.StepInfo? step, long elapsed)
    {
        string text = $"The event loop is stalled: {what} has been running for {Seconds(elapsed)} seconds without returning to the loop";
        if (step?.ResumedFrom() is { } from)
        {
            text += $" (the step started at {from})";
        }

        return text + ". Something in it blocks the thread (Thread.Sleep, Task.Result or Wait, synchronous I/O, a long computation): " +
            "await instead, or move the blocking work off the loop with Aio.ToThread.";
    }

    private static string Seconds(long stopwatchTicks) =>
        ((double)stopwatchTicks / Stopwatch.Frequency).ToString("0.000", CultureInfo.InvariantCulture);

    public void Dispose()
    {
        _stop.Set();
        if (Thread.CurrentThread != _thread)
        {
            _thread.Join();
            ReportEndIfStalled(Stopwatch.GetTimestamp());   // the loop stopped before the watchdog saw it move on
        }

        _stop.Dispose();
    }
}
