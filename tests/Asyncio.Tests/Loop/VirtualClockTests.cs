using System.Diagnostics;
using Asyncio.Tests.Tasks;

namespace Asyncio.Tests.Loop;

/// <summary>
/// <see cref="VirtualClock"/>: time that jumps to the next timer when the loop is idle, and the
/// <see cref="DeadlockException"/> that names every pending task when nothing can ever wake.
/// </summary>
public class VirtualClockTests
{
    private static LoopOptions Virtual(VirtualClock? clock = null, int? seed = null) => new()
    {
        Clock = clock ?? new VirtualClock(),
        Seed = seed,
        Scheduling = seed is null ? Scheduling.Fifo : Scheduling.Seeded,
    };

    // ------------------------------------------------------------------ jumps

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void VirtualClock_StartsAtZeroAndJumpsToTheNextTimerWhenIdle()
    {
        var clock = new VirtualClock();
        var real = Stopwatch.StartNew();
        double end = Aio.Run(async () =>
        {
            Assert.Equal(0.0, Aio.GetRunningLoop().Time());
            await Aio.Sleep(3600);
            Assert.Equal(3600.0, clock.Seconds);
            return Aio.GetRunningLoop().Time();
        }, Virtual(clock));
        Assert.Equal(3600.0, end);
        Assert.Equal(TimeSpan.FromHours(1), clock.Elapsed);
        Assert.Equal(new DateTimeOffset(2000, 1, 1, 1, 0, 0, TimeSpan.Zero), clock.GetUtcNow());
        Assert.True(real.Elapsed < TimeSpan.FromSeconds(15), $"took {real.Elapsed} of real time");
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void VirtualClock_DoesNotJumpWhileATaskIsReadyToRun()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            async Coroutine Sleeper()
            {
                await Aio.Sleep(1);
                log.Add($"sleeper woke at {loop.Time()}");
            }

            async Coroutine Busy()
            {
                for (int i = 0; i < 1000; i++)
                {
                    await Aio.Sleep(0);   // always ready: the loop is never idle, so time stands still
                }

                log.Add($"busy done at {loop.Time()}");
            }

            AioTask s = Aio.CreateTask(Sleeper());
            AioTask b = Aio.CreateTask(Busy());
            await b;
            await s;
        }, Virtual());
        Assert.Equal(new[] { "busy done at 0", "sleeper woke at 1" }, log);
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void Advance_ByHand_MovesTimeAndDueTimersRunAfterWhatIsAlreadyReady()
    {
        var clock = new VirtualClock();
        var log = new List<string>();
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            loop.CallLater(5, () => log.Add($"timer at {loop.Time()}"));
            clock.Advance(TimeSpan.FromSeconds(5));
            Assert.Equal(5.0, loop.Time());
            Assert.Empty(log);
            await Aio.Sleep(0);
            Assert.Empty(log);   // as asyncio: due timers go to the end of the ready queue, after this step
            await Aio.Sleep(0);
            Assert.Equal(new[] { "timer at 5" }, log);
        }, Virtual(clock));
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void Advance_Negative_ThrowsBecauseTimeNeverGoesBack()
    {
        var clock = new VirtualClock();
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)));
        Assert.Contains("never goes back", e.Message);
        Assert.Equal(0.0, clock.Seconds);
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void VirtualClock_GivenToTwoOpenLoops_Throws()
    {
        var clock = new VirtualClock();
        using var first = new EventLoop(Virtual(clock));
        var e = Assert.Throws<InvalidOperationException>(() => new EventLoop(Virtual(clock)));
        Assert.Contains("already drives another event loop", e.Message);

        first.Close();
        using var second = new EventLoop(Virtual(clock));   // free again once the first loop is closed
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void CreateTimer_BeforeTheClockHasALoop_ThrowsSayingWhatToDo()
    {
        var clock = new VirtualClock();
        var e = Assert.Throws<InvalidOperationException>(() =>
            clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan));
        Assert.Contains("not attached to an event loop", e.Message);
        Assert.Contains("LoopOptions", e.Message);
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void VirtualClock_WhileToThreadWorkIsInFlight_DoesNotJump()
    {
        var clock = new VirtualClock();
        double seenByWorker = -1;
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var gate = new ManualResetEventSlim();
            loop.CallLater(10, gate.Set);   // only a wrong jump of the clock would open the gate early
            seenByWorker = await Aio.ToThread(() =>
            {
                gate.Wait(TimeSpan.FromMilliseconds(200));
                return clock.Seconds;
            });
        }, Virtual(clock)));
        Assert.Equal(0.0, seenByWorker);
    }

    // A TaskCompletionSource used as a signal between two tasks of the loop: the awaiting coroutine is on a foreign
    // await, which holds virtual time back, while the task that will complete it waits for virtual time to move.
    // With a real clock this program ends after 5 s; in virtual time it must not hang silently.
    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void VirtualClock_ForeignAwaitCompletedByATaskWaitingForTime_DoesNotHang()
    {
        double end = -1;
        Exception? error = null;
        Loops.RunBounded(() =>
        {
            try
            {
                end = Aio.Run(async () =>
                {
                    var tcs = new TaskCompletionSource();
                    async Coroutine Waiter() => await tcs.Task;
                    async Coroutine Signaller()
                    {
                        await Aio.Sleep(5);
                        tcs.SetResult();
                    }

                    AioTask a = Aio.CreateTask(Waiter(), "waiter");
                    AioTask b = Aio.CreateTask(Signaller(), "signaller");
                    await a;
                    await b;
                    return Aio.GetRunningLoop().Time();
                }, Virtual());
            }
            catch (InvalidOperationException e)
            {
                error = e;   // a clear report (naming the foreign await) is acceptable too
            }
        }, seconds: 5);
        if (error is not null)
        {
            Assert.Contains("foreign", error.Message);
        }
        else
        {
            Assert.Equal(5.0, end);
        }
    }

    // ------------------------------------------------------------------ deadlocks

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void Deadlock_TasksWaitingOnEachOtherAndAFuture_ReportsEachPendingTaskAndWhatItAwaits()
    {
        var e = Assert.Throws<DeadlockException>(() => Aio.Run(async () =>
        {
            var never = new Future<int>();
            async Coroutine<int> WaitForFuture() => await never;
            AioTask<int> a = Aio.CreateTask(WaitForFuture(), "a");
            async Coroutine<int> WaitForA() => await a;
            AioTask<int> b = Aio.CreateTask(WaitForA(), "b");
            return await b;
        }, Virtual()));

        Assert.StartsWith("Deadlock:", e.Message);
        Assert.Contains("Pending tasks:", e.Message);
        Assert.Null(e.Seed);
        Assert.Equal(3, e.PendingTasks.Count);   // main, a, b
        Assert.Contains(e.PendingTasks, line => line.StartsWith("task 'a'", StringComparison.Ordinal)
                                                && line.Contains("awaits <Future<Int32> pending>"));
        Assert.Contains(e.PendingTasks, line => line.StartsWith("task 'b'", StringComparison.Ordinal)
                                                && line.Contains("awaits task 'a'"));
        Assert.Contains(e.PendingTasks, line => line.Contains("awaits task 'b'"));
        foreach (string line in e.PendingTasks)
        {
            Assert.Contains(line, e.Message);
        }
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void Deadlock_TaskSleepingForever_IsReportedAsSleepingUntilCancelled()
    {
        var e = Assert.Throws<DeadlockException>(() => Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Forever(), "forever");
            await t;
        }, Virtual()));
        Assert.Contains(e.PendingTasks, line => line.StartsWith("task 'forever'", StringComparison.Ordinal)
                                                && line.Contains("sleeps until cancelled"));

        static async Coroutine Forever() => await Aio.Sleep(Timeout.InfiniteTimeSpan);
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void Deadlock_InASeededRun_ReportsTheSeed()
    {
        var e = Assert.Throws<DeadlockException>(() => Aio.Run(async () =>
        {
            await new Future<bool>();
        }, Virtual(seed: 7)));
        Assert.Equal(7, e.Seed);
        Assert.Contains("seed 7", e.Message);
    }

    // CPython: none; Asyncio.NET virtual clock and deadlock report (DESIGN.md decision 5)
    [Fact]
    public void Deadlock_RunUntilCompleteOfAFuture_NamesTheFuture()
    {
        using var loop = new EventLoop(Virtual());
        var fut = new Future<string>(loop);
        var e = Assert.Throws<DeadlockException>(() => loop.RunUntilComplete(fut));
        Assert.Contains("<Future<String> pending> can never finish", e.Message);
        Assert.Contains("No task is pending.", e.Message);
        Assert.Empty(e.PendingTasks);
    }
}
