using System.Runtime.CompilerServices;
using Microsoft.Extensions.Logging;

namespace Asyncio.Tests.Diagnostics;

/// <summary>
/// The stall watchdog reports a loop stuck in one callback while it is stuck. Each test blocks the loop on a gate that
/// opens only once the report has arrived (bounded by a generous timeout), so the outcome does not depend on speed.
/// </summary>
public sealed class StallWatchdogTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static int Line([CallerLineNumber] int line = 0) => line;

    private static LoopOptions Options(CapturingLogger log) =>
        new() { Scheduling = Scheduling.Fifo, Logger = log, StallThreshold = TimeSpan.FromMilliseconds(20) };

    private static bool IsStall((LogLevel Level, string Message, Exception? Exception) e) =>
        e.Message.StartsWith("The event loop is stalled", StringComparison.Ordinal);

    private static bool IsStallEnd((LogLevel Level, string Message, Exception? Exception) e) =>
        e.Message.StartsWith("The event loop was stalled", StringComparison.Ordinal);

    private static void BlockUntilReported(object? state)
    {
        var log = (CapturingLogger)state!;
        Assert.True(log.WaitFor(IsStall, Patience), "the watchdog did not report the stall");   // the loop thread blocks here
    }

    [Fact]
    public void CallbackBlockingTheLoop_IsReportedWhileItBlocks_AndWhenItEnds()
    {
        var log = new CapturingLogger();
        using (var loop = new EventLoop(Options(log)))
        {
            loop.CallSoon(BlockUntilReported, log);
            LoopRun.RunBriefly(loop);
            Assert.True(log.WaitFor(IsStallEnd, Patience), "the watchdog did not report the end of the stall");
        }

        var stall = Assert.Single(log.Entries, IsStall);
        Assert.Equal(LogLevel.Warning, stall.Level);
        Assert.Matches(
            @"^The event loop is stalled: <Handle StallWatchdogTests\.BlockUntilReported\(\)> has been running for \d+\.\d{3} seconds without returning to the loop\. " +
            "Something in it blocks the thread .*Aio.ToThread.$",
            stall.Message);
        var end = Assert.Single(log.Entries, IsStallEnd);
        Assert.Matches(@"^The event loop was stalled for \d+\.\d{3} seconds by <Handle StallWatchdogTests\.BlockUntilReported\(\)>; it runs again\.$", end.Message);
    }

    private static async Coroutine Blocker(CapturingLogger log, List<int> lines)
    {
        lines.Add(Line()); await Aio.Sleep(0);
        BlockUntilReported(log);
    }

    [Fact]
    public void TaskStepBlockingTheLoop_IsReportedWithTheTaskAndTheAwaitItResumedFrom()
    {
        var log = new CapturingLogger();
        var lines = new List<int>();
        Aio.Run(async () =>
        {
            await Aio.CreateTask(Blocker(log, lines), name: "blocker");
        }, Options(log));
        Assert.True(log.WaitFor(IsStallEnd, Patience));

        var stall = Assert.Single(log.Entries, IsStall);
        Assert.Matches(
            $@"^The event loop is stalled: <AioTask pending name='blocker' coro=StallWatchdogTests\.Blocker> has been running for \d+\.\d{{3}} seconds " +
            $@"without returning to the loop \(the step started at StallWatchdogTests\.Blocker at .*StallWatchdogTests\.cs:{lines[0]}\)\.",
            stall.Message);
    }

    private static async Coroutine IdleFor100Ms() => await Aio.Sleep(0.1);   // real-time: a system-clock loop must really wait to be idle

    [Fact]
    public void IdleLoop_IsNotAStall()
    {
        var log = new CapturingLogger();
        using (var loop = new EventLoop(Options(log)))
        {
            // Blocks in the wait step for a real 100 ms (5 thresholds): waiting is not stalling.
            loop.RunUntilComplete(IdleFor100Ms());
        }

        Assert.DoesNotContain(log.Entries, IsStall);
    }

    [Fact]
    public void StallThreshold_BelowOneMillisecond_IsRefused()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new EventLoop(new LoopOptions { StallThreshold = TimeSpan.Zero }));
        Assert.Equal("StallThreshold", e.ParamName);
        Assert.Contains("at least 1 ms", e.Message);
    }
}
