using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Ports of the loop parts of CPython's <c>test_base_events.py</c> (<c>BaseEventLoopTests</c>, <c>RunningLoopTests</c>) and
/// <c>test_events.py</c> (<c>EventLoopTestsMixin</c>): CallSoon, run/stop/close, RunUntilComplete, refusals.
/// </summary>
public sealed class EventLoopTests : IDisposable
{
    private readonly EventLoop _loop = NewLoop();

    public void Dispose() => _loop.Close();

    // ------------------------------------------------------------------ CallSoon

    // CPython: test_events.py EventLoopTestsMixin.test_call_soon
    [Fact]
    public void CallSoon_CallbackStopsLoop_RunsOnceAndRunForeverReturns()
    {
        var results = new List<(string, string)>();
        _loop.CallSoon(() =>
        {
            results.Add(("hello", "world"));
            _loop.Stop();
        });
        _loop.RunForever();
        Assert.Equal(new[] { ("hello", "world") }, results);
    }

    // CPython: base_events.py call_soon: the ready queue is FIFO.
    [Fact]
    public void CallSoon_ManyCallbacks_RunInFifoOrder()
    {
        var log = new List<int>();
        for (int i = 0; i < 200; i++)
        {
            int k = i;
            _loop.CallSoon(() => log.Add(k));
        }

        _loop.CallSoon(_loop.Stop);
        _loop.RunForever();
        Assert.Equal(Enumerable.Range(0, 200), log);
    }

    // CPython: events.py call_soon(callback, *args): the state overload passes its argument.
    [Fact]
    public void CallSoon_WithState_PassesTheState()
    {
        var log = new List<object?>();
        _loop.CallSoon(s => log.Add(s), "arg");
        _loop.CallSoon(s => log.Add(s), null);
        RunBriefly(_loop);
        Assert.Equal(new object?[] { "arg", null }, log);
    }

    // CPython: base_events.py _run_once: ntodo = len(self._ready); callbacks queued during an iteration run in the next.
    [Fact]
    public void RunOnce_CallbacksQueuedDuringIteration_RunInTheNextIteration()
    {
        var log = new List<string>();
        _loop.CallSoon(() =>
        {
            log.Add("a");
            _loop.CallSoon(() => log.Add("c (queued by a)"));
        });
        _loop.CallSoon(() => log.Add("b"));
        _loop.CallSoon(_loop.Stop);
        _loop.RunForever();
        Assert.Equal(new[] { "a", "b" }, log);

        _loop.CallSoon(_loop.Stop);
        _loop.RunForever();
        Assert.Equal(new[] { "a", "b", "c (queued by a)" }, log);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test__add_callback_cancelled_handle / test_events.py HandleTests.test_handle
    [Fact]
    public void HandleCancel_BeforeItRuns_CallbackSkippedAndCancelReturnsTrue()
    {
        var log = new List<string>();
        Handle h = _loop.CallSoon(() => log.Add("cancelled one"));
        _loop.CallSoon(() => log.Add("other"));
        Assert.True(h.IsPending);
        Assert.True(h.Cancel());
        Assert.False(h.IsPending);
        Assert.False(h.Cancel());
        RunBriefly(_loop);
        Assert.Equal(new[] { "other" }, log);
    }

    // CPython: base_events.py _run_once skips handle._cancelled: cancelling a later callback of the same batch works.
    [Fact]
    public void HandleCancel_ByEarlierCallbackOfSameIteration_CallbackSkipped()
    {
        var log = new List<string>();
        Handle later = default;
        _loop.CallSoon(() =>
        {
            log.Add("first");
            Assert.True(later.Cancel());
        });
        later = _loop.CallSoon(() => log.Add("later"));
        RunBriefly(_loop);
        Assert.Equal(new[] { "first" }, log);
    }

    // CPython: events.py Handle.cancel after the callback ran has no effect.
    [Fact]
    public void HandleCancel_AfterItRan_ReturnsFalse()
    {
        int runs = 0;
        Handle h = _loop.CallSoon(() => runs++);
        RunBriefly(_loop);
        Assert.Equal(1, runs);
        Assert.False(h.IsPending);
        Assert.False(h.Cancel());
    }

    // Bad input: null delegates.
    [Fact]
    public void CallSoon_NullCallback_ThrowsArgumentNull()
    {
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallSoon(null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallSoon((Action<object?>)null!, 1)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallSoonThreadSafe(null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallSoonThreadSafe((Action<object?>)null!, 1)).ParamName);
    }

    // CPython: events.py Handle._run runs the callback in the context captured by call_soon (copy_context()).
    [Fact]
    public void CallSoon_AsyncLocal_CallbackSeesValueAtSchedulingAndChangesDoNotLeak()
    {
        var local = new AsyncLocal<string?>();
        var seen = new List<string?>();
        local.Value = "outer";
        _loop.CallSoon(() =>
        {
            seen.Add(local.Value);
            local.Value = "changed inside";
        });
        _loop.CallSoon(() => seen.Add(local.Value));
        local.Value = "second";
        _loop.CallSoon(() => seen.Add(local.Value));
        _loop.CallSoon(_loop.Stop);
        local.Value = "outer";
        _loop.RunForever();

        Assert.Equal(new[] { "outer", "outer", "second" }, seen);
        Assert.Equal("outer", local.Value);   // the caller of RunForever keeps its own context
    }

    // CPython: events.get_running_loop() inside a callback.
    [Fact]
    public void GetRunningLoop_InsideCallbackAndOutside_ReturnsLoopOrThrows()
    {
        EventLoop? seen = null;
        bool running = false;
        _loop.CallSoon(() =>
        {
            seen = EventLoop.GetRunningLoop();
            running = _loop.IsRunning;
        });
        RunBriefly(_loop);
        Assert.Same(_loop, seen);
        Assert.True(running);
        Assert.False(_loop.IsRunning);
        Assert.Null(EventLoop.Current);
        Throws<InvalidOperationException>(() => EventLoop.GetRunningLoop(), "no", "running event loop");
        Throws<InvalidOperationException>(() => Aio.GetRunningLoop(), "running event loop");
    }

    // ------------------------------------------------------------------ Stop

    // CPython: test_base_events.py BaseEventLoopTests.test_run_once (the idiom call_soon(loop.stop); run_forever())
    [Fact]
    public void Stop_QueuedAfterCallback_RunsExactlyThatCallback()
    {
        int count = 0;
        _loop.CallSoon(() => count++);
        _loop.CallSoon(_loop.Stop);
        _loop.RunForever();
        Assert.Equal(1, count);
    }

    // CPython: base_events.py stop(): "every callback already scheduled will still run" — the iteration completes.
    [Fact]
    public void Stop_CalledByFirstCallbackOfIteration_RestOfIterationStillRuns()
    {
        var log = new List<string>();
        _loop.CallSoon(() =>
        {
            log.Add("stopper");
            _loop.Stop();
            _loop.CallSoon(() => log.Add("next iteration"));
        });
        _loop.CallSoon(() => log.Add("same iteration"));
        _loop.RunForever();
        Assert.Equal(new[] { "stopper", "same iteration" }, log);
        Assert.False(_loop.IsRunning);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_run_forever_pre_stopped: stop() before run_forever() makes it
    // run exactly one iteration (polling with timeout 0).
    [Fact]
    public void Stop_BeforeRunForever_RunsExactlyOneIteration()
    {
        var log = new List<string>();
        _loop.CallSoon(() =>
        {
            log.Add("queued before");
            _loop.CallSoon(() => log.Add("queued during"));
        });
        _loop.Stop();
        WithHangGuard(_loop, "RunForever after Stop()", _loop.RunForever);
        Assert.Equal(new[] { "queued before" }, log);
        Assert.False(_loop.IsRunning);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_run_forever_pre_stopped (an idle loop)
    [Fact]
    public void Stop_BeforeRunForeverOnIdleLoop_ReturnsWithoutWaiting()
    {
        _loop.Stop();
        WithHangGuard(_loop, "RunForever after Stop() with nothing scheduled", _loop.RunForever);
        Assert.False(_loop.IsRunning);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_run_until_complete_baseexception: after RunForever returns,
    // the stop flag is reset; a later stop() from a callback of callback stops the next run.
    [Fact]
    public void Stop_FromNestedCallback_StopsTheNextRun()
    {
        bool called = false;
        _loop.CallSoon(_loop.Stop);
        _loop.RunForever();

        _loop.CallSoon(() => _loop.CallSoon(() =>
        {
            _loop.Stop();
            called = true;
        }));
        _loop.RunForever();
        Assert.True(called);
    }

    // ------------------------------------------------------------------ RunForever refusals

    // CPython: base_events.py _check_running: 'This event loop is already running'
    [Fact]
    public void RunForever_FromCallbackOfSameLoop_ThrowsAlreadyRunning()
    {
        Exception? caught = null;
        _loop.CallSoon(() =>
        {
            caught = Record.Exception(_loop.RunForever);
            _loop.Stop();
        });
        _loop.RunForever();
        var e = Assert.IsType<InvalidOperationException>(caught);
        Assert.Contains("already running", e.Message, StringComparison.Ordinal);
        Assert.False(_loop.IsRunning);
    }

    // CPython: test_base_events.py RunningLoopTests.test_running_loop_within_a_loop
    [Fact]
    public void RunForever_OtherLoopFromInsideRunningLoop_ThrowsAnotherLoopIsRunning()
    {
        using var inner = NewLoop();
        var e = Assert.Throws<InvalidOperationException>(() => _loop.RunUntilComplete(RunOther(inner)));
        Assert.Contains("another loop is running", e.Message, StringComparison.Ordinal);
        Assert.False(inner.IsRunning);

        static async Coroutine RunOther(EventLoop loop) => loop.RunForever();
    }

    // CPython: test_events.py GetEventLoopTestsMixin.test_get_running_loop_already_running: the refused inner run leaves
    // the running loop as it was.
    [Fact]
    public void RunForever_RefusedInsideRunningLoop_RunningLoopUnchanged()
    {
        EventLoop? after = null;
        _loop.RunUntilComplete(Main());
        Assert.Same(_loop, after);

        async Coroutine Main()
        {
            using (var other = NewLoop())
            {
                Assert.Throws<InvalidOperationException>(other.RunForever);
            }

            after = Aio.GetRunningLoop();
        }
    }

    // CPython: test_events.py EventLoopTestsMixin.test_run_until_complete_nesting
    [Fact]
    public void RunUntilComplete_FromInsideRunningLoop_ThrowsNamingTheRunningLoop()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _loop.RunUntilComplete(Outer()));
        Assert.Contains("running", e.Message, StringComparison.Ordinal);
        Assert.Contains("RunUntilComplete", e.Message, StringComparison.Ordinal);

        async Coroutine Outer()
        {
            Assert.True(_loop.IsRunning);
            _loop.RunUntilComplete(Inner());
        }

        static async Coroutine Inner() => await Aio.Sleep(0);
    }

    // ------------------------------------------------------------------ RunUntilComplete

    // CPython: test_events.py EventLoopTestsMixin.test_run_until_complete
    [Fact]
    public void RunUntilComplete_Sleep_ReturnsAfterTheDelayInLoopTime()
    {
        double t0 = _loop.Time();
        _loop.RunUntilComplete(Sleep(0.1));
        Assert.Equal(0.1, _loop.Time() - t0, 9);

        static async Coroutine Sleep(double d) => await Aio.Sleep(d);
    }

    // CPython: base_events.py run_until_complete returns future.result()
    [Fact]
    public void RunUntilComplete_CoroutineWithResult_ReturnsIt()
    {
        Assert.Equal(42, _loop.RunUntilComplete(Answer()));

        static async Coroutine<int> Answer()
        {
            await Aio.Sleep(0);
            return 42;
        }
    }

    // CPython: base_events.py run_until_complete raises the future's exception
    [Fact]
    public void RunUntilComplete_CoroutineThrows_RethrowsTheSameException()
    {
        var e = Assert.Throws<FormatException>(() => _loop.RunUntilComplete(Boom()));
        Assert.Equal("spam", e.Message);

        static async Coroutine<int> Boom()
        {
            await Aio.Sleep(0);
            throw new FormatException("spam");
        }
    }

    // CPython: base_events.py run_until_complete with a future completed by a timer
    [Fact]
    public void RunUntilComplete_FutureCompletedByTimer_ReturnsResultAtThatTime()
    {
        var f = _loop.CreateFuture<string>();
        _loop.CallLater(3, () => f.SetResult("done"));
        Assert.Equal("done", _loop.RunUntilComplete(f));
        Assert.Equal(3.0, _loop.Time(), 9);
    }

    // CPython: base_events.py run_until_complete of a future that is already done: one iteration, then its result.
    [Fact]
    public void RunUntilComplete_FutureAlreadyDone_ReturnsResultAfterOneIteration()
    {
        var f = _loop.CreateFuture<int>();
        f.SetResult(7);
        var log = new List<string>();
        _loop.CallSoon(() =>
        {
            log.Add("queued before");
            _loop.CallSoon(() => log.Add("queued during"));
        });
        int r = 0;
        WithHangGuard(_loop, "RunUntilComplete(a future that is already done)", () => r = _loop.RunUntilComplete(f));
        Assert.Equal(7, r);
        Assert.Equal(new[] { "queued before" }, log);
    }

    // CPython: test_events.py EventLoopTestsMixin.test_run_until_complete_stopped
    [Fact]
    public void RunUntilComplete_StoppedBeforeTaskFinished_ThrowsNamingTheStop()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _loop.RunUntilComplete(StopThenSleep()));
        Assert.Contains("stopped before the future completed", e.Message, StringComparison.OrdinalIgnoreCase);

        async Coroutine StopThenSleep()
        {
            _loop.Stop();
            await Aio.Sleep(0.1);
        }
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_run_until_complete_loop (ValueError in CPython; the
    // documented .NET type here is InvalidOperationException)
    [Fact]
    public void RunUntilComplete_FutureOfAnotherLoop_ThrowsNamingTheOtherLoop()
    {
        using var other = NewLoop();
        var f = _loop.CreateFuture<int>();
        var e = Assert.Throws<InvalidOperationException>(() => other.RunUntilComplete(f));
        Assert.Contains("belongs to another event loop", e.Message, StringComparison.Ordinal);
        f.Cancel();
    }

    // Bad input: null future / task.
    [Fact]
    public void RunUntilComplete_NullFuture_ThrowsArgumentNull()
    {
        Assert.Throws<ArgumentNullException>(() => _loop.RunUntilComplete((Future<int>)null!));
        Assert.Throws<ArgumentNullException>(() => _loop.RunUntilComplete((AioFuture)null!));
        Assert.Throws<ArgumentNullException>(() => _loop.RunUntilComplete((AioTask<int>)null!));
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_run_until_complete_loop_orphan_future_close_loop (adapted:
    // in .NET the error that escapes the loop is a DeadlockException rather than SystemExit). After the escape, the
    // first future's stop callback is removed, so completing it later does not stop the next run.
    [Fact]
    public void RunUntilComplete_AfterErrorEscapedTheLoop_PreviousFutureNoLongerStopsTheLoop()
    {
        var f1 = _loop.CreateFuture<int>();
        Assert.Throws<DeadlockException>(() => _loop.RunUntilComplete(f1));
        Assert.False(_loop.IsRunning);

        var f2 = _loop.CreateFuture<int>();
        _loop.CallSoon(() => f1.SetResult(1));
        _loop.CallLater(0.2, () => f2.SetResult(2));
        Assert.Equal(2, _loop.RunUntilComplete(f2));
    }

    // ------------------------------------------------------------------ Close

    // CPython: test_base_events.py BaseEventLoopTests.test_close
    [Fact]
    public void Close_CalledRepeatedly_IsIdempotent()
    {
        Assert.False(_loop.IsClosed);
        _loop.Close();
        Assert.True(_loop.IsClosed);
        _loop.Close();
        _loop.Dispose();
        Assert.True(_loop.IsClosed);
    }

    // CPython: test_events.py EventLoopTestsMixin.test_close and test_base_events.py BaseEventLoopTests.test_close
    [Fact]
    public void Close_ThenEveryScheduleOrRun_ThrowsNamingTheClosedLoop()
    {
        var f = _loop.CreateFuture<int>();
        _loop.Close();
        Action noop = () => { };

        Throws<InvalidOperationException>(_loop.RunForever, "RunForever", "closed");
        Throws<InvalidOperationException>(() => _loop.RunUntilComplete(f), "closed");
        Throws<InvalidOperationException>(() => _loop.RunUntilComplete(Nothing()), "closed");
        Throws<InvalidOperationException>(() => _loop.CallSoon(noop), "CallSoon", "closed");
        Throws<InvalidOperationException>(() => _loop.CallSoon(_ => { }, null), "CallSoon", "closed");
        Throws<InvalidOperationException>(() => _loop.CallSoonThreadSafe(noop), "CallSoonThreadSafe", "closed");
        Throws<InvalidOperationException>(() => _loop.CallLater(1.0, noop), "CallLater", "closed");
        Throws<InvalidOperationException>(() => _loop.CallAt(_loop.Time(), noop), "CallAt", "closed");
        Throws<InvalidOperationException>(() => _loop.CreateTask(Nothing()), "CreateTask", "closed");
        Throws<InvalidOperationException>(() => _loop.RunInExecutor(() => 1), "closed");

        static async Coroutine Nothing()
        {
        }
    }

    // CPython: test_events.py EventLoopTestsMixin.test_close_running_event_loop
    [Fact]
    public void Close_FromInsideRunningLoop_ThrowsAndLoopKeepsRunning()
    {
        var e = Assert.Throws<InvalidOperationException>(() => _loop.RunUntilComplete(CloseLoop()));
        Assert.Contains("Cannot close a running event loop", e.Message, StringComparison.Ordinal);
        Assert.False(_loop.IsClosed);
        RunBriefly(_loop);   // still usable

        async Coroutine CloseLoop()
        {
            await Aio.Sleep(0);
            _loop.Close();
        }
    }

    // CPython: base_events.py close() drops the callbacks and timers that were still queued.
    [Fact]
    public void Close_WithQueuedCallbacksAndTimers_NoneOfThemRuns()
    {
        int runs = 0;
        _loop.CallSoon(() => runs++);
        _loop.CallLater(1, () => runs++);
        _loop.Close();
        Assert.Equal(0, runs);
    }

    // ------------------------------------------------------------------ wrong thread

    // CPython: test_base_events.py BaseEventLoopTests.test_check_thread (CPython checks only in debug mode; this
    // library documents the check as always on)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ScheduleFromAnotherThread_WhileLoopRuns_ThrowsNamingBothThreads(bool debug)
    {
        _loop.Debug = debug;
        var errors = new Dictionary<string, Exception?>();
        TimerHandle timer = _loop.CallLater(60, () => { });
        Handle handle = _loop.CallSoon(() => { });
        _loop.CallSoon(() =>
        {
            errors["CallSoon"] = OnOtherThread(() => _loop.CallSoon(() => { }));
            errors["CallLater"] = OnOtherThread(() => _loop.CallLater(60, () => { }));
            errors["CallAt"] = OnOtherThread(() => _loop.CallAt(_loop.Time() + 60, () => { }));
            errors["CreateTask"] = OnOtherThread(() => _loop.CreateTask(Nothing()));
            errors["Stop"] = OnOtherThread(_loop.Stop);
            errors["Cancel"] = OnOtherThread(() => handle.Cancel());
            errors["TimerHandle.Cancel"] = OnOtherThread(timer.Cancel);
            errors["SetExceptionHandler"] = OnOtherThread(() => _loop.SetExceptionHandler(null));
            errors["RunInExecutor"] = OnOtherThread(() => _loop.RunInExecutor(() => 1));
            _loop.Stop();
        });
        _loop.RunForever();

        foreach (var (member, error) in errors)
        {
            var e = Assert.IsType<InvalidOperationException>(error);
            Assert.Contains("this loop runs on thread", e.Message, StringComparison.Ordinal);
            Assert.Contains("CallSoonThreadSafe", e.Message, StringComparison.Ordinal);
        }

        Assert.False(timer.IsCancelled);

        static async Coroutine Nothing()
        {
        }
    }

    // CPython: base_events.py: while the loop is not running, any thread may prepare work for it.
    [Fact]
    public void ScheduleFromAnotherThread_WhileLoopIsNotRunning_IsAllowed()
    {
        var log = new List<string>();
        Assert.Null(OnOtherThread(() =>
        {
            _loop.CallSoon(() => log.Add("soon"));
            _loop.CallLater(1, () => log.Add("later"));
        }));
        _loop.CallLater(2, _loop.Stop);
        _loop.RunForever();
        Assert.Equal(new[] { "soon", "later" }, log);
    }

    // ------------------------------------------------------------------ time, debug

    // CPython: test_base_events.py BaseEventLoopTests.test_time_and_call_at
    [Fact]
    public void Time_WithVirtualClock_CallAtRunsAtItsTime()
    {
        var clock = new VirtualClock();
        using var loop = new EventLoop(new LoopOptions { Clock = clock, Scheduling = Scheduling.Fifo });
        Assert.Same(clock, loop.Clock);
        Assert.Equal(0.0, loop.Time());
        double delay = 0.100;
        double when = loop.Time() + delay;
        double seen = -1;
        loop.CallAt(when, () =>
        {
            seen = loop.Time();
            loop.Stop();
        });
        double t0 = loop.Time();
        loop.RunForever();
        Assert.Equal(delay, loop.Time() - t0, 9);
        Assert.Equal(when, seen, 9);
        Assert.Equal(clock.Seconds, loop.Time());
    }

    // VirtualClock.Advance by hand moves loop time; time never goes back.
    [Fact]
    public void Time_VirtualClockAdvancedByHand_LoopTimeFollows()
    {
        var clock = new VirtualClock();
        using var loop = new EventLoop(new LoopOptions { Clock = clock, Scheduling = Scheduling.Fifo });
        clock.Advance(TimeSpan.FromSeconds(2.5));
        Assert.Equal(2.5, loop.Time(), 9);
        Throws<ArgumentOutOfRangeException>(() => clock.Advance(TimeSpan.FromSeconds(-1)), "never goes back");
        Assert.Equal(2.5, loop.Time(), 9);
    }

    // A VirtualClock drives one open loop at a time.
    [Fact]
    public void VirtualClock_SharedByTwoOpenLoops_SecondLoopRefused()
    {
        var clock = new VirtualClock();
        var first = new EventLoop(new LoopOptions { Clock = clock });
        Throws<InvalidOperationException>(() => new EventLoop(new LoopOptions { Clock = clock }), "already drives another event loop");
        first.Close();
        using var second = new EventLoop(new LoopOptions { Clock = clock });   // allowed once the first is closed
        Assert.Equal(0.0, second.Time());
    }

    // Bad input: a clock without a usable timestamp frequency.
    [Fact]
    public void Constructor_ClockWithZeroFrequency_ThrowsArgumentNamingTheClock()
    {
        var e = Throws<ArgumentException>(() => new EventLoop(new LoopOptions { Clock = new ZeroFrequencyClock() }), "ZeroFrequencyClock", "frequency");
        Assert.Equal("options", e.ParamName);
    }

    private sealed class ZeroFrequencyClock : TimeProvider
    {
        public override long TimestampFrequency => 0;
    }

    // The loop's SynchronizationContext is current inside callbacks, and the caller's is restored after the run.
    [Fact]
    public void RunForever_SynchronizationContext_LoopsInsideCallersAfter()
    {
        SynchronizationContext? inside = null;
        SynchronizationContext? before = SynchronizationContext.Current;
        _loop.CallSoon(() => inside = SynchronizationContext.Current);
        RunBriefly(_loop);
        Assert.Same(_loop.SynchronizationContext, inside);
        Assert.Same(before, SynchronizationContext.Current);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_set_debug
    [Fact]
    public void Debug_SetAndGet_RoundTrips()
    {
        using var loop = new EventLoop(new LoopOptions { Clock = new VirtualClock(), Debug = false });
        Assert.False(loop.Debug);
        loop.Debug = true;
        Assert.True(loop.Debug);
        loop.Debug = false;
        Assert.False(loop.Debug);
        using var debugLoop = new EventLoop(new LoopOptions { Clock = new VirtualClock(), Debug = true });
        Assert.True(debugLoop.Debug);
    }
}
