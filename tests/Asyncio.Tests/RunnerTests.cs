using System.Diagnostics;
using System.Runtime.InteropServices;
using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests;

/// <summary>Ports of CPython's <c>test_runners.py</c> (<c>RunTests</c>, <c>RunnerTests</c>).</summary>
public sealed class RunnerTests
{
    // ------------------------------------------------------------------ Aio.Run

    // CPython: test_runners.py RunTests.test_asyncio_run_return
    [Fact]
    public void Run_MainReturns_ReturnsItsResult()
    {
        int r = Aio.Run(async () =>
        {
            await Aio.Sleep(0);
            return 42;
        }, Virtual());
        Assert.Equal(42, r);
    }

    // CPython: test_runners.py RunTests.test_asyncio_run_raises
    [Fact]
    public void Run_MainThrows_RethrowsTheException()
    {
        var e = Assert.Throws<ArgumentException>(() => Aio.Run(async () =>
        {
            await Aio.Sleep(0);
            throw new ArgumentException("spam");
        }, Virtual()));
        Assert.Equal("spam", e.Message);
    }

    // CPython: test_runners.py RunTests.test_asyncio_run_from_running_loop
    [Fact]
    public void Run_FromRunningLoop_ThrowsCannotBeCalledFromRunningLoop()
    {
        Exception? inner = null;
        bool innerRan = false;
        Aio.Run(async () =>
        {
            await Aio.Sleep(0);
            inner = Record.Exception(() => Aio.Run(async () =>
            {
                innerRan = true;
                await Aio.Sleep(0);
            }));
        }, Virtual());
        var e = Assert.IsType<InvalidOperationException>(inner);
        Assert.Contains("cannot be called from a running event loop", e.Message, StringComparison.Ordinal);
        Assert.False(innerRan);
    }

    // CPython: test_runners.py RunTests.test_asyncio_run_cancels_hanging_tasks
    [Fact]
    public void Run_MainLeavesTaskPending_TaskIsCancelledAtExit()
    {
        AioTask? leftover = null;
        int r = Aio.Run(async () =>
        {
            leftover = Aio.CreateTask(Leftover());
            await Aio.Sleep(0);
            return 123;
        }, Virtual());
        Assert.Equal(123, r);
        Assert.True(leftover!.IsDone);
        Assert.True(leftover.IsCancelled);

        static async Coroutine Leftover() => await Aio.Sleep(0.1);
    }

    // CPython: test_runners.py RunTests.test_asyncio_run_reports_hanging_tasks_errors
    [Fact]
    public void Run_LeftoverTaskFailsWhenCancelled_ReportedAsShutdownErrorWithTaskAndException()
    {
        AioTask? leftover = null;
        var reports = new List<LoopExceptionContext>();
        int r = Aio.Run(async () =>
        {
            Aio.GetRunningLoop().SetExceptionHandler((_, c) => reports.Add(c));
            leftover = Aio.CreateTask(Leftover());
            await Aio.Sleep(0);
            return 123;
        }, Virtual());
        Assert.Equal(123, r);
        Assert.True(leftover!.IsDone);

        var c = Assert.Single(reports);
        Assert.Matches("Aio.Run.*shutdown", c.Message);
        Assert.Equal("unhandled exception during Aio.Run() shutdown", c.Message);
        Assert.Same(leftover, c.Task);
        Assert.Same(leftover, c["task"]);
        Assert.IsType<DivideByZeroException>(c.Exception);

        static async Coroutine Leftover()
        {
            try
            {
                await Aio.Sleep(0.1);
            }
            catch (CancelledError)
            {
                throw new DivideByZeroException();
            }
        }
    }

    // CPython: runners.py Runner.close -> loop.close()
    [Fact]
    public void Run_AfterReturning_LoopIsClosed()
    {
        EventLoop? loop = null;
        Aio.Run(async () =>
        {
            loop = Aio.GetRunningLoop();
            await Aio.Sleep(0);
        }, Virtual());
        Assert.True(loop!.IsClosed);
        Assert.False(loop.IsRunning);
        Assert.Null(EventLoop.Current);
    }

    // CPython: test_runners.py RunTests.test_asyncio_run_debug
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Run_DebugOption_SetsLoopDebug(bool debug)
    {
        bool seen = Aio.Run(async () =>
        {
            await Aio.Sleep(0);
            return Aio.GetRunningLoop().Debug;
        }, new LoopOptions { Clock = new VirtualClock(), Debug = debug });
        Assert.Equal(debug, seen);
    }

    // CPython: test_runners.py RunTests.test_asyncio_run_only_coro (adapted: the typed API takes delegates or
    // coroutines; null and an already-used coroutine are the bad inputs left)
    [Fact]
    public void Run_NullOrUsedCoroutine_Throws()
    {
        Assert.Equal("main", Assert.Throws<ArgumentNullException>(() => Aio.Run((Func<Coroutine<int>>)null!)).ParamName);
        Assert.Equal("main", Assert.Throws<ArgumentNullException>(() => Aio.Run((Func<Coroutine>)null!)).ParamName);
        Coroutine<int> used = Answer();
        Assert.Equal(42, Aio.Run(used, Virtual()));
        Throws<InvalidOperationException>(() => Aio.Run(used, Virtual()), "already awaited");

        static async Coroutine<int> Answer()
        {
            await Aio.Sleep(0);
            return 42;
        }
    }

    // CPython: test_runners.py RunnerTests.test_interrupt_cancelled_task (the part that needs no signal): a main task
    // cancelled by another task ends Run with CancelledError, not KeyboardInterrupt.
    [Fact]
    public void Run_MainCancelledByAnotherTask_ThrowsCancelledError()
    {
        var e = Assert.Throws<CancelledError>(() => Aio.Run(async () =>
        {
            AioTask main = Aio.CurrentTask!;
            _ = Aio.CreateTask(CancelIt(main));
            await Aio.Sleep(10);
        }, Virtual()));
        Assert.Equal("from subtask", e.CancelMessage);

        static async Coroutine CancelIt(AioTask task)
        {
            await Aio.Sleep(0);
            task.Cancel("from subtask");
        }
    }

    // CPython: runners.py Runner.close -> shutdown_default_executor(timeout): ToThread work still running at exit is
    // waited for at most ExecutorShutdownTimeout; a timeout of zero gives up at once and says so.
    [Fact]
    public void Run_ExecutorShutdownTimeoutZero_ReportsGivingUpOnBlockedWork()
    {
        using var started = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var finished = new ManualResetEventSlim();
        var reports = new List<LoopExceptionContext>();
        var options = new LoopOptions { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo, ExecutorShutdownTimeout = TimeSpan.Zero };
        try
        {
            int r = Aio.Run(async () =>
            {
                Aio.GetRunningLoop().SetExceptionHandler((_, c) => reports.Add(c));
                _ = Aio.ToThread(() =>
                {
                    started.Set();
                    gate.Wait(ThreadTimeout);
                    finished.Set();
                });
                await Aio.ToThread(() => started.Wait(ThreadTimeout));
                return 1;
            }, options);
            Assert.Equal(1, r);
            Assert.False(finished.IsSet);   // Run did not wait for the blocked work
        }
        finally
        {
            gate.Set();
        }

        var c = Assert.Single(reports);
        Assert.Contains("did not finish its work within 0 seconds", c.Message, StringComparison.Ordinal);
        Assert.Contains("gave up", c.Message, StringComparison.Ordinal);
        Assert.True(finished.Wait(ThreadTimeout));   // released: the work ends on its own, nothing breaks
    }

    // ------------------------------------------------------------------ Runner

    // CPython: test_runners.py RunnerTests.test_non_debug / test_debug
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Runner_DebugOption_LoopDebugFollows(bool debug)
    {
        using var runner = new Runner(new LoopOptions { Clock = new VirtualClock(), Debug = debug });
        Assert.Equal(debug, runner.Loop.Debug);
    }

    // CPython: test_runners.py RunnerTests.test_run
    [Fact]
    public void Runner_RunThenClose_LoopClosedAndRunnerRefuses()
    {
        EventLoop loop;
        using (var runner = new Runner(Virtual()))
        {
            Assert.Equal("done", runner.Run(F()));
            loop = runner.Loop;
            runner.Close();
            Throws<InvalidOperationException>(() => _ = runner.Loop, "Runner is closed");
        }

        Assert.True(loop.IsClosed);

        static async Coroutine<string> F()
        {
            await Aio.Sleep(0);
            return "done";
        }
    }

    // CPython: test_runners.py RunnerTests.test_explicit_close
    [Fact]
    public void Runner_ExplicitCloseWithoutRun_ClosesTheLoop()
    {
        var runner = new Runner(Virtual());
        EventLoop loop = runner.Loop;
        runner.Close();
        Throws<InvalidOperationException>(() => _ = runner.Loop, "Runner is closed");
        Assert.True(loop.IsClosed);
    }

    // CPython: test_runners.py RunnerTests.test_double_close
    [Fact]
    public void Runner_CloseTwice_SecondIsNoOp()
    {
        var runner = new Runner(Virtual());
        EventLoop loop = runner.Loop;
        runner.Close();
        Assert.True(loop.IsClosed);
        runner.Close();
        runner.Dispose();
        Assert.True(loop.IsClosed);
    }

    // CPython: test_runners.py RunnerTests.test_second_with_block_raises
    [Fact]
    public void Runner_RunAfterClose_ThrowsAndCoroutineNeverRuns()
    {
        var ret = new List<int>();
        var runner = new Runner(Virtual());
        using (runner)
        {
            runner.Run(F(1));
        }

        Throws<InvalidOperationException>(() => runner.Run(F(2)), "Runner is closed");
        Throws<InvalidOperationException>(() => runner.Run(() => F(3)), "Runner is closed");
        Assert.Equal(new[] { 1 }, ret);

        async Coroutine F(int arg)
        {
            ret.Add(arg);
            await Aio.Sleep(0);
        }
    }

    // CPython: test_runners.py RunnerTests.test_run_keeps_context (contextvars -> AsyncLocal)
    [Fact]
    public void Runner_SuccessiveRuns_ShareOneAsyncLocalContext()
    {
        var cvar = new AsyncLocal<int?>();
        using var runner = new Runner(Virtual());
        Assert.Equal(-1, runner.Run(F(1)));
        Assert.Equal(1, runner.Run(F(2)));
        Assert.Equal(2, runner.Run(Get()));
        Assert.Null(cvar.Value);   // the caller's own context is untouched

        async Coroutine<int> F(int val)
        {
            int old = cvar.Value ?? -1;
            await Aio.Sleep(0);
            cvar.Value = val;
            return old;
        }

        async Coroutine<int> Get()
        {
            await Aio.Sleep(0);
            return cvar.Value ?? -1;
        }
    }

    // CPython: test_runners.py RunnerTests.test_recursive_run
    [Fact]
    public void Runner_RunFromInsideItsOwnRun_ThrowsCannotBeCalledFromRunningLoop()
    {
        using var runner = new Runner(Virtual());
        bool gRan = false;
        var e = Assert.Throws<InvalidOperationException>(() => runner.Run(F()));
        Assert.Contains("Runner.Run cannot be called from a running event loop", e.Message, StringComparison.Ordinal);
        Assert.False(gRan);

        async Coroutine F()
        {
            await Aio.Sleep(0);
            runner.Run(G());
        }

        async Coroutine G()
        {
            gRan = true;
            await Aio.Sleep(0);
        }
    }

    // CPython: runners.py Runner.get_loop() -> _lazy_init(): the loop is made on first use, then the same one is kept.
    [Fact]
    public void Runner_Loop_CreatedLazilyAndReused()
    {
        var clock = new VirtualClock();
        using var runner = new Runner(new LoopOptions { Clock = clock, Scheduling = Scheduling.Fifo });

        // No loop yet: the clock is not attached to one (its timers need a loop).
        Throws<InvalidOperationException>(() => clock.CreateTimer(_ => { }, null, TimeSpan.FromSeconds(1), Timeout.InfiniteTimeSpan), "not attached");

        EventLoop loop = runner.Loop;
        Assert.Same(loop, runner.Loop);
        Assert.False(loop.IsClosed);
        Assert.False(loop.IsRunning);
        Assert.Same(loop, runner.Run(Current()));
        Assert.Same(loop, runner.Run(Current()));

        static async Coroutine<EventLoop> Current()
        {
            await Aio.Sleep(0);
            return Aio.GetRunningLoop();
        }
    }

    // CPython: runners.py Runner.run does not cancel other tasks between runs: they go on in the next run.
    [Fact]
    public void Runner_TaskLeftByOneRun_ContinuesInTheNextRun()
    {
        using var runner = new Runner(Virtual());
        var log = new List<string>();
        AioTask bg = runner.Run(Start());
        Assert.False(bg.IsDone);
        runner.Run(SleepFor(2));
        Assert.True(bg.IsCompletedSuccessfully);
        Assert.Equal(new[] { "background done" }, log);

        async Coroutine<AioTask> Start()
        {
            await Aio.Sleep(0);
            return Aio.CreateTask(Background());
        }

        async Coroutine Background()
        {
            await Aio.Sleep(1);
            log.Add("background done");
        }

        static async Coroutine SleepFor(double s) => await Aio.Sleep(s);
    }

    // CPython: runners.py Runner.close -> _cancel_all_tasks, reporting errors through the loop's exception handler.
    [Fact]
    public void Runner_CloseWithTaskStillPending_CancelsAndReportsItsError()
    {
        var logger = new CapturingLogger();
        var runner = new Runner(Virtual(logger));
        AioTask bg = runner.Run(Start());
        Assert.False(bg.IsDone);
        runner.Close();
        Assert.True(bg.IsFaulted);
        var entry = Assert.Single(logger.Entries);
        Assert.StartsWith("unhandled exception during Aio.Run() shutdown", entry.Message, StringComparison.Ordinal);
        Assert.Contains("task: ", entry.Message, StringComparison.Ordinal);
        Assert.IsType<FormatException>(entry.Exception);

        static async Coroutine<AioTask> Start()
        {
            await Aio.Sleep(0);
            return Aio.CreateTask(FailOnCancel());
        }

        static async Coroutine FailOnCancel()
        {
            try
            {
                await Aio.Sleep(100);
            }
            catch (CancelledError)
            {
                throw new FormatException("cleanup failed");
            }
        }
    }

    // CPython: runners.py: a run that raises leaves the runner usable.
    [Fact]
    public void Runner_RunThatThrows_RunnerStillUsable()
    {
        using var runner = new Runner(Virtual());
        Assert.Throws<FormatException>(() => runner.Run(Fail()));
        Assert.Equal(5, runner.Run(Five()));

        static async Coroutine Fail()
        {
            await Aio.Sleep(0);
            throw new FormatException();
        }

        static async Coroutine<int> Five()
        {
            await Aio.Sleep(0);
            return 5;
        }
    }

    // CPython: test_runners.py RunnerTests.test_no_repr_is_call_on_the_task_result
    [Fact]
    public void Runner_Run_DoesNotCallToStringOnTheResult()
    {
        MyResult result;
        using (var runner = new Runner(Virtual()))
        {
            result = runner.Run(Coro());
        }

        Assert.Equal(0, result.ToStringCount);

        static async Coroutine<MyResult> Coro()
        {
            await Aio.Sleep(0);
            return new MyResult();
        }
    }

    private sealed class MyResult
    {
        public int ToStringCount;

        public override string ToString()
        {
            ToStringCount++;
            return base.ToString()!;
        }
    }
}
