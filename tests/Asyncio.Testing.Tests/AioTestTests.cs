using System.Diagnostics;
using Microsoft.Extensions.Logging;

namespace Asyncio.Testing.Tests;

/// <summary><see cref="AioTest"/>: a fresh loop in virtual time, strict exceptions, seeds, time assertions.</summary>
public class AioTestTests
{
    // ------------------------------------------------------------------ Run

    [Fact]
    public void Run_SleepForAnHour_EndsAtExactlyThatVirtualTimeInLittleRealTime()
    {
        var real = Stopwatch.StartNew();
        double end = AioTest.Run(async () =>
        {
            AioTest.AssertNow(0);
            await Aio.Sleep(3600);
            AioTest.AssertNow(3600);
            return AioTest.Now;
        });
        Assert.Equal(3600.0, end);
        Assert.True(real.Elapsed < TimeSpan.FromSeconds(15), $"took {real.Elapsed} of real time");
    }

    /// <summary>The example of the package README and of <see cref="AioTest"/>'s docs.</summary>
    [Fact]
    public void WaitFor_TimesOutAfterOneSecond() => AioTest.Run(async () =>
    {
        await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(Aio.Sleep(10, "late"), 1));
        AioTest.AssertNow(1);   // virtual seconds: exact, and no real time passed
    });

    [Fact]
    public void Run_VoidBody_Runs()
    {
        bool ran = false;
        AioTest.Run(async () =>
        {
            await Aio.Sleep(1);
            ran = true;
        });
        Assert.True(ran);
    }

    [Fact]
    public void Run_PlainTaskBody_RunsOnTheLoop()
    {
        int result = AioTest.Run(async Task<int> () =>
        {
            await Task.Yield();
            Assert.NotNull(EventLoop.Current);
            return 7;
        });
        Assert.Equal(7, result);
    }

    [Fact]
    public void Run_EachRun_GetsAFreshClockAtZero()
    {
        AioTest.Run(async () => await Aio.Sleep(5));
        AioTest.Run(async () =>
        {
            AioTest.AssertNow(0);
            await Aio.Sleep(1);
            AioTest.AssertNow(1);
        });
    }

    [Fact]
    public void Run_WithAClockOfYourOwn_RunsOnIt()
    {
        var clock = new VirtualClock();
        AioTest.Run(async () =>
        {
            Assert.Same(clock, AioTest.Clock);
            await Aio.Sleep(2.5);
        }, new AioTestOptions { Clock = clock });
        Assert.Equal(2.5, clock.Seconds);
    }

    [Fact]
    public void Run_ClockAdvancedByHand_WakesSleepersThatAreDue()
    {
        var log = new List<string>();
        AioTest.Run(async () =>
        {
            AioTask sleeper = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(10);
                log.Add($"woke at {AioTest.Now}");
            });
            await Aio.Sleep(0);
            AioTest.Clock.Advance(TimeSpan.FromSeconds(10));
            await sleeper;
            AioTest.AssertNow(10);
        });
        Assert.Equal(["woke at 10"], log);
    }

    [Fact]
    public void Run_BodyThrows_RethrowsItsExceptionUnwrapped()
    {
        var e = Assert.Throws<InvalidOperationException>(() => AioTest.Run(async () =>
        {
            await Aio.Sleep(1);
            throw new InvalidOperationException("boom");
        }));
        Assert.Equal("boom", e.Message);
    }

    [Fact]
    public void Run_TaskExceptionNeverRetrieved_FailsWithUnhandledLoopErrors()
    {
        var e = Assert.Throws<UnhandledLoopErrorsException>(() => AioTest.Run(async () =>
        {
            _ = Aio.CreateTask(Fail("lost"), name: "forgotten");
            await Aio.Sleep(1);
        }));

        LoopExceptionContext report = Assert.Single(e.Reports);
        Assert.Equal("Task exception was never retrieved", report.Message);
        Assert.Null(e.BodyException);
        Assert.Equal("lost", Assert.IsType<ArgumentException>(Assert.Single(e.InnerExceptions)).Message);
        Assert.StartsWith(
            "The event loop reported 1 unhandled error while the test body succeeded (AioTestOptions.StrictExceptions):\n" +
            "  1. Task exception was never retrieved: ArgumentException: lost [task forgotten]",
            e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_CallbackThrows_FailsWithItsReport()
    {
        var e = Assert.Throws<UnhandledLoopErrorsException>(() => AioTest.Run(async () =>
        {
            Aio.GetRunningLoop().CallSoon(() => throw new FormatException("bad callback"));
            await Aio.Sleep(0);
            await Aio.Sleep(0);
        }));

        LoopExceptionContext report = Assert.Single(e.Reports);
        Assert.StartsWith("Exception in callback", report.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(Assert.Single(e.InnerExceptions));
    }

    [Fact]
    public void Run_BodyFailsAndLoopReports_ListsTheBodyExceptionFirst()
    {
        var e = Assert.Throws<UnhandledLoopErrorsException>(() => AioTest.Run(async () =>
        {
            _ = Aio.CreateTask(Fail("child"));
            await Aio.Sleep(1);
            throw new InvalidOperationException("body");
        }));

        Assert.Equal("body", e.BodyException?.Message);
        Assert.Equal(["body", "child"], e.InnerExceptions.Select(x => x.Message));
        Assert.Contains("and the test body failed too", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_CoroutineNeverAwaited_FailsInDebugMode()
    {
        var e = Assert.Throws<UnhandledLoopErrorsException>(() => AioTest.Run(async () =>
        {
            _ = Fail("never runs");
            await Aio.Sleep(0);
        }));

        LoopExceptionContext report = Assert.Single(e.Reports);
        Assert.Equal("coroutine 'AioTestTests.Fail' was never awaited", report.Message);
    }

    [Fact]
    public void Run_LeftOverTaskFailsWhenCancelledAtExit_IsReported()
    {
        var e = Assert.Throws<UnhandledLoopErrorsException>(() => AioTest.Run(async () =>
        {
            _ = Aio.CreateTask(async () =>
            {
                try
                {
                    await Aio.Sleep(double.PositiveInfinity);
                }
                catch (CancelledError)
                {
                    throw new InvalidOperationException("cleanup failed");
                }
            });
            await Aio.Sleep(1);
        }));

        Assert.Equal("cleanup failed", Assert.Single(e.InnerExceptions).Message);
    }

    [Fact]
    public void Run_StrictExceptionsOff_LogsTheReportInsteadOfFailing()
    {
        var logger = new ListLogger();
        AioTest.Run(async () =>
        {
            _ = Aio.CreateTask(Fail("logged"));
            await Aio.Sleep(1);
        }, new AioTestOptions { StrictExceptions = false, Logger = logger });

        string line = Assert.Single(logger.Lines);
        Assert.StartsWith("Error: Task exception was never retrieved", line, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_AwaitsAFutureNobodyCompletes_FailsWithDeadlock()
    {
        var e = Assert.Throws<DeadlockException>(() => AioTest.Run(async () =>
        {
            Future<int> never = Aio.GetRunningLoop().CreateFuture<int>();
            await never;
        }));
        Assert.Single(e.PendingTasks);
    }

    [Fact]
    public void Run_DefaultSchedule_IsFifo()
    {
        var order = AioTest.Run(async () =>
        {
            var log = new List<int>();
            AioTask[] tasks = Enumerable.Range(0, 5).Select(i => Aio.CreateTask(async () =>
            {
                await Aio.Sleep(0);
                log.Add(i);
            })).ToArray();
            foreach (AioTask t in tasks)
            {
                await t;
            }

            return log;
        });
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public void Run_WithASeed_RunsTheSeededSchedule()
    {
        int? seed = AioTest.Run(async () =>
        {
            await Aio.Sleep(0);
            return Aio.GetRunningLoop().Seed;
        }, new AioTestOptions { Seed = 12 });
        Assert.Equal(12, seed);
    }

    [Fact]
    public void Run_ToThreadWork_IsAwaitedInVirtualTime()
    {
        int result = AioTest.Run(async () =>
        {
            int r = await Aio.ToThread(() => 6 * 7);
            AioTest.AssertNow(0);
            return r;
        });
        Assert.Equal(42, result);
    }

    [Fact]
    public void Run_FromInsideARunningLoop_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => AioTest.Run(async () =>
        {
            await Aio.Sleep(0);
            AioTest.Run(async () => await Aio.Sleep(0));
        }));
        Assert.StartsWith("AioTest.Run cannot be called from a running event loop", e.Message, StringComparison.Ordinal);
    }

    // ------------------------------------------------------------------ seeds

    [Fact]
    public void RunWithSeeds_OrderIndependentBody_ReturnsOneResultPerSeed()
    {
        IReadOnlyList<int> sums = AioTest.RunWithSeeds([1, 2, 3, 4], async () =>
        {
            int sum = 0;
            AioTask[] tasks = Enumerable.Range(1, 4).Select(i => Aio.CreateTask(async () =>
            {
                await Aio.Sleep(0);
                sum += i;
            })).ToArray();
            foreach (AioTask t in tasks)
            {
                await t;
            }

            return sum;
        });
        Assert.Equal([10, 10, 10, 10], sums);
    }

    [Fact]
    public void RunWithSeeds_EachRun_UsesItsSeedOnAFreshClock()
    {
        var seen = new List<(int?, double)>();
        AioTest.RunWithSeeds(3, async () =>
        {
            seen.Add((Aio.GetRunningLoop().Seed, AioTest.Now));
            await Aio.Sleep(1);
        });
        Assert.Equal([(0, 0.0), (1, 0.0), (2, 0.0)], seen);
    }

    [Fact]
    public void RunWithSeeds_OrderDependentBody_NamesTheFirstFailingSeed()
    {
        var e = Assert.Throws<SeededRunFailedException>(() => AioTest.RunWithSeeds(Enumerable.Range(0, 50), async () =>
        {
            var log = new List<string>();
            AioTask a = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(0);
                log.Add("a");
            });
            AioTask b = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(0);
                log.Add("b");
            });
            await a;
            await b;
            if (log[0] != "a")
            {
                throw new InvalidOperationException("b ran first");
            }
        }));

        Assert.Equal(Enumerable.Range(0, e.Seed), e.PassedSeeds);
        Assert.Equal("b ran first", e.InnerException?.Message);
        Assert.Contains($"seeded schedule {e.Seed}", e.Message, StringComparison.Ordinal);
        Assert.Contains($"new AioTestOptions {{ Seed = {e.Seed} }}", e.Message, StringComparison.Ordinal);

        // The reported seed replays the failure.
        Assert.Throws<InvalidOperationException>(() => AioTest.Run(async () =>
        {
            var log = new List<string>();
            AioTask a = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(0);
                log.Add("a");
            });
            AioTask b = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(0);
                log.Add("b");
            });
            await a;
            await b;
            if (log[0] != "a")
            {
                throw new InvalidOperationException("b ran first");
            }
        }, new AioTestOptions { Seed = e.Seed }));
    }

    [Fact]
    public void RunWithSeeds_OptionsWithAClock_Throws()
    {
        var e = Assert.Throws<ArgumentException>(() =>
            AioTest.RunWithSeeds([1], async () => await Aio.Sleep(0), new AioTestOptions { Clock = new VirtualClock() }));
        Assert.StartsWith("RunWithSeeds gives every run a fresh VirtualClock", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RunWithSeeds_NoSeeds_Throws()
    {
        Assert.Throws<ArgumentException>(() => AioTest.RunWithSeeds([], async () => await Aio.Sleep(0)));
        Assert.Throws<ArgumentOutOfRangeException>(() => AioTest.RunWithSeeds(0, async () => await Aio.Sleep(0)));
    }

    // ------------------------------------------------------------------ time helpers

    [Fact]
    public void AssertNow_WrongTime_ThrowsWithBothTimes()
    {
        var e = Assert.Throws<AioAssertionException>(() => AioTest.Run(async () =>
        {
            await Aio.Sleep(2);
            AioTest.AssertNow(3);
        }));
        Assert.Equal("Expected the loop's time to be 3 s (±1E-09), but it is 2 s.", e.Message);
    }

    [Fact]
    public void Now_WithoutARunningLoop_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => AioTest.Now);
        Assert.Equal("AioTest.Now needs a running event loop on this thread: use it inside the body given to AioTest.Run.", e.Message);
    }

    [Fact]
    public void Clock_OnALoopWithTheSystemClock_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Aio.Run(async () =>
        {
            await Aio.Sleep(0);
            _ = AioTest.Clock;
        }));
        Assert.StartsWith("AioTest.Clock: the running loop's clock is", e.Message, StringComparison.Ordinal);
    }

    private static async Coroutine Fail(string message)
    {
        await Aio.Sleep(0);
        throw new ArgumentException(message);
    }

    private sealed class ListLogger : ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add($"{logLevel}: {formatter(state, exception)}");
    }
}
