namespace Asyncio.Tests.Tasks;

/// <summary>Ports of CPython's test_tasks.py sleep tests and the asyncio docs' sleep examples, in virtual time.</summary>
public class SleepTests
{
    // CPython: test_tasks.py BaseTaskTests.test_sleep
    [Fact]
    public void Sleep_WithResult_ReturnsTheResultAfterTheDelay()
    {
        using var loop = new EventLoop(Loops.Virtual());
        async Coroutine<string> Sleeper(double dt, string arg)
        {
            await Aio.Sleep(dt / 2);
            return await Aio.Sleep(dt / 2, arg);
        }

        AioTask<string> t = loop.CreateTask(Sleeper(0.1, "yeah"));
        loop.RunUntilComplete(t);
        Assert.True(t.IsDone);
        Assert.Equal("yeah", t.Result);
        Assert.Equal(0.1, loop.Time(), 9);
    }

    // CPython: test_tasks.py BaseTaskTests.test_sleep_when_delay_is_nan
    [Fact]
    public void Sleep_NaN_FailsWithArgumentOutOfRangeNamingNaN()
    {
        using var loop = new EventLoop(Loops.Virtual());
        async Coroutine Sleeper() => await Aio.Sleep(double.NaN);

        AioTask t = loop.CreateTask(Sleeper());
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => loop.RunUntilComplete(t));
        Assert.Contains("NaN", e.Message);
        Assert.Equal("seconds", e.ParamName);
        Assert.True(t.IsFaulted);

        var e2 = Assert.Throws<ArgumentOutOfRangeException>(() => Aio.Sleep(double.NaN, "result"));
        Assert.Contains("NaN", e2.Message);
    }

    // CPython: test_tasks.py SleepTests.test_sleep_zero
    [Fact]
    public void Sleep_ZeroWithResult_YieldsOnceAfterCallbacksAlreadyQueued()
    {
        int result = 0;
        using var loop = new EventLoop(Loops.Virtual());
        async Coroutine Coro()
        {
            loop.CallSoon(() => result += 1);
            Assert.Equal(0, result);
            int num = await Aio.Sleep(0, 10);
            Assert.Equal(1, result);   // incremented by the callback
            result += num;
        }

        loop.RunUntilComplete(Coro());
        Assert.Equal(11, result);
        Assert.Equal(0.0, loop.Time());
    }

    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Theory]
    [InlineData(0.0)]
    [InlineData(-5.0)]
    [InlineData(double.NegativeInfinity)]
    public void Sleep_ZeroOrNegative_YieldsExactlyOnce(double seconds)
    {
        var log = new List<string>();
        double end = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            loop.CallSoon(() =>
            {
                log.Add("queued before");
                loop.CallSoon(() => log.Add("queued during the yield"));
            });
            await Aio.Sleep(seconds);
            log.Add("resumed");
            await Aio.Sleep(0);
            return loop.Time();
        }, Loops.Virtual());
        Assert.Equal(new[] { "queued before", "resumed", "queued during the yield" }, log);
        Assert.Equal(0.0, end);
    }

    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_ZeroOrNegativeTimeSpan_YieldsExactlyOnce()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            foreach (TimeSpan delay in new[] { TimeSpan.Zero, TimeSpan.FromSeconds(-3) })
            {
                string name = delay.ToString();
                loop.CallSoon(() =>
                {
                    log.Add("before " + name);
                    loop.CallSoon(() => log.Add("during " + name));
                });
                await Aio.Sleep(delay);
                log.Add("resumed " + name);
                await Aio.Sleep(0);
            }

            Assert.Equal(0.0, loop.Time());
        }, Loops.Virtual());
        Assert.Equal(
            new[] { "before 00:00:00", "resumed 00:00:00", "during 00:00:00", "before -00:00:03", "resumed -00:00:03", "during -00:00:03" },
            log);
    }

    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_TimeSpan_SleepsThatLongInVirtualTime()
    {
        double end = Aio.Run(async () =>
        {
            await Aio.Sleep(TimeSpan.FromMilliseconds(1500));
            await Aio.Sleep(TimeSpan.FromHours(2));
            return Aio.GetRunningLoop().Time();
        }, Loops.Virtual());
        Assert.Equal(1.5 + 7200, end, 9);
    }

    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_VeryLongDelay_CompletesAtOnceInVirtualTime()
    {
        double end = Aio.Run(async () =>
        {
            await Aio.Sleep(1e9);   // about 31 years
            return Aio.GetRunningLoop().Time();
        }, Loops.Virtual());
        Assert.Equal(1e9, end);
    }

    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_Infinite_DoesNotMoveVirtualTimeAndEndsOnlyWhenCancelled()
    {
        double cancelledAt = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            double when = -1;
            async Coroutine Forever()
            {
                try
                {
                    await Aio.Sleep(double.PositiveInfinity);
                }
                finally
                {
                    when = loop.Time();
                }
            }

            AioTask t = Aio.CreateTask(Forever());
            await Aio.Sleep(7);
            Assert.False(t.IsDone);
            loop.CallLater(3, () => t.Cancel());
            await Loops.WaitDone(t);
            Assert.True(t.IsCancelled);
            return when;
        }, Loops.Virtual());
        Assert.Equal(10.0, cancelledAt);
    }

    // asyncio docs, "Coroutines and Tasks": two tasks sleeping 1 s and 2 s concurrently finish at t = 2 s.
    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_TwoTasksConcurrently_FinishWhenTheLongerSleepEnds()
    {
        var log = new List<string>();
        double elapsed = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            double start = loop.Time();
            async Coroutine Say(string what, double delay)
            {
                await Aio.Sleep(delay);
                log.Add($"{what} at {loop.Time()}");
            }

            AioTask a = Aio.CreateTask(Say("hello", 1));
            AioTask b = Aio.CreateTask(Say("world", 2));
            await a;
            await b;
            return loop.Time() - start;
        }, Loops.Virtual());
        Assert.Equal(2.0, elapsed);
        Assert.Equal(new[] { "hello at 1", "world at 2" }, log);
    }

    // asyncio docs, "Coroutines and Tasks": awaiting the coroutines one after the other takes 1 + 2 = 3 s.
    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_AwaitedOneAfterTheOther_DelaysAddUp()
    {
        var log = new List<string>();
        double elapsed = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            async Coroutine SayAfter(double delay, string what)
            {
                await Aio.Sleep(delay);
                log.Add($"{what} at {loop.Time()}");
            }

            await SayAfter(1, "hello");
            await SayAfter(2, "world");
            return loop.Time();
        }, Loops.Virtual());
        Assert.Equal(3.0, elapsed);
        Assert.Equal(new[] { "hello at 1", "world at 3" }, log);
    }

    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_ManyTasksWithDifferentDelays_WakeInDeadlineOrder()
    {
        var woke = new List<int>();
        Aio.Run(async () =>
        {
            async Coroutine Sleeper(int n)
            {
                await Aio.Sleep(n * 0.25);
                woke.Add(n);
            }

            int[] order = { 5, 3, 8, 1, 9, 2, 7, 4, 6, 0 };
            var tasks = order.Select(n => Aio.CreateTask(Sleeper(n))).ToList();
            foreach (AioTask t in tasks)
            {
                await t;
            }

            Assert.Equal(9 * 0.25, Aio.GetRunningLoop().Time());
        }, Loops.Virtual());
        Assert.Equal(Enumerable.Range(0, 10), woke);
    }

    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_SameDeadline_TasksWakeInTheOrderTheyStartedSleeping()
    {
        var woke = new List<string>();
        Aio.Run(async () =>
        {
            async Coroutine Sleeper(string name)
            {
                await Aio.Sleep(1);
                woke.Add(name);
            }

            var tasks = new[] { "c", "a", "d", "b" }.Select(n => Aio.CreateTask(Sleeper(n))).ToList();
            foreach (AioTask t in tasks)
            {
                await t;
            }
        }, Loops.Virtual());
        Assert.Equal(new[] { "c", "a", "d", "b" }, woke);
    }

    // CPython: none; asyncio.sleep semantics (tasks.py sleep, docs examples)
    [Fact]
    public void Sleep_InPlainAsyncTaskCode_UsesTheLoopClock()
    {
        double end = Aio.Run(async () =>
        {
            async Task<double> Helper()
            {
                await Aio.Sleep(2);
                await Aio.Sleep(TimeSpan.FromSeconds(3));
                return Aio.GetRunningLoop().Time();
            }

            return await Helper();
        }, Loops.Virtual());
        Assert.Equal(5.0, end);
    }
}
