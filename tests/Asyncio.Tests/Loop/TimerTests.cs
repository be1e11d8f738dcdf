using System.Reflection;
using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Ports of CPython's timer tests: <c>test_base_events.py</c> (<c>test_call_later*</c>, <c>test__run_once*</c>) and
/// <c>test_events.py</c> (<c>TimerTests</c>, <c>test_call_later</c>).
/// </summary>
public sealed class TimerTests : IDisposable
{
    private readonly EventLoop _loop = NewLoop();

    public void Dispose() => _loop.Close();

    // CPython: test_events.py EventLoopTestsMixin.test_call_later
    [Fact]
    public void CallLater_CallbackStopsLoop_RunsAfterTheDelay()
    {
        var results = new List<string>();
        double t0 = _loop.Time();
        _loop.CallLater(0.1, s =>
        {
            results.Add((string)s!);
            _loop.Stop();
        }, "hello world");
        _loop.RunForever();
        Assert.Equal(new[] { "hello world" }, results);
        Assert.Equal(0.1, _loop.Time() - t0, 9);
    }

    // CPython: base_events.py call_later/call_at: the heap is ordered by `when`.
    [Fact]
    public void CallLaterAndCallAt_MixedDeadlines_RunInDeadlineOrder()
    {
        var log = new List<string>();
        _loop.CallLater(2, () => log.Add(FormattableString.Invariant($"a@{_loop.Time()}")));
        _loop.CallLater(1, () => log.Add(FormattableString.Invariant($"b@{_loop.Time()}")));
        _loop.CallAt(1.5, () => log.Add(FormattableString.Invariant($"c@{_loop.Time()}")));
        _loop.CallLater(TimeSpan.FromSeconds(0.5), () => log.Add(FormattableString.Invariant($"d@{_loop.Time()}")));
        _loop.CallAt(3, _loop.Stop);
        _loop.RunForever();
        Assert.Equal(new[] { "d@0.5", "b@1", "c@1.5", "a@2" }, log);
    }

    // CPython: call_later docstring: ties are unspecified; this library breaks them FIFO (documented on CallAt).
    [Fact]
    public void CallLater_SameDeadline_RunInSchedulingOrder()
    {
        var log = new List<int>();
        for (int i = 0; i < 50; i++)
        {
            int k = i;
            _loop.CallLater(1, () => log.Add(k));
        }

        _loop.CallAt(1, _loop.Stop);
        _loop.RunForever();
        Assert.Equal(Enumerable.Range(0, 50), log);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_call_later_negative_delays: when = time() + delay keeps the
    // deadline order even for negative delays.
    [Fact]
    public void CallLater_NegativeDelays_RunInDeadlineOrder()
    {
        var calls = new List<string>();
        _loop.CallLater(-1, s => calls.Add((string)s!), "a");
        _loop.CallLater(-2, s => calls.Add((string)s!), "b");
        RunBriefly(_loop);
        Assert.Equal(new[] { "b", "a" }, calls);
    }

    // CPython: base_events.py call_at(when): timers already in the past also run in deadline order.
    [Fact]
    public void CallAt_PastDeadlines_RunInDeadlineOrder()
    {
        _loop.RunUntilComplete(SleepFor(10));   // loop time 10
        var calls = new List<string>();
        _loop.CallAt(5, () => calls.Add("at 5"));
        _loop.CallAt(-1, () => calls.Add("at -1"));
        _loop.CallAt(-2, () => calls.Add("at -2"));
        _loop.CallAt(0, () => calls.Add("at 0"));
        RunBriefly(_loop);
        Assert.Equal(new[] { "at -2", "at -1", "at 0", "at 5" }, calls);
    }

    // CPython: test_events.py TimerTests.test_when; base_events.py call_later: when = time() + delay.
    [Fact]
    public void When_CallLaterAndCallAt_IsTheScheduledLoopTime()
    {
        _loop.RunUntilComplete(SleepFor(100));   // loop time 100
        Assert.Equal(110.0, _loop.CallLater(10, () => { }).When, 9);
        Assert.Equal(100.0, _loop.CallLater(0, () => { }).When, 9);
        Assert.Equal(42.5, _loop.CallAt(42.5, () => { }).When, 9);
        Assert.Equal(101.5, _loop.CallLater(TimeSpan.FromSeconds(1.5), () => { }).When, 9);
    }

    // CPython: base_events.py call_later(-3) -> call_at(time() - 3); TimerHandle.when() returns that time as given.
    [Fact]
    public void When_NegativeDelayOrPastDeadline_IsTheGivenTimeNotClamped()
    {
        _loop.RunUntilComplete(SleepFor(100));   // loop time 100
        Assert.Equal(97.0, _loop.CallLater(-3, () => { }).When, 9);
        Assert.Equal(-1.0, _loop.CallAt(-1, () => { }).When, 9);
        Assert.Equal(0.0, _loop.CallAt(0, () => { }).When, 9);
    }

    // CPython: base_events.py _run_once appends due timers after the callbacks already in the ready queue.
    [Fact]
    public void CallLater_ZeroDelay_RunsAfterCallbacksAlreadyReady()
    {
        var log = new List<string>();
        _loop.CallLater(0, () => log.Add("timer (scheduled first)"));
        _loop.CallSoon(() => log.Add("soon"));
        RunBriefly(_loop);
        Assert.Equal(new[] { "soon", "timer (scheduled first)" }, log);
    }

    // CPython: base_events.py _run_once: a timer scheduled with zero delay by a callback runs on the next iteration.
    [Fact]
    public void CallLater_ZeroDelayFromCallback_RunsNextIteration()
    {
        var log = new List<string>();
        _loop.CallSoon(() =>
        {
            log.Add("a");
            _loop.CallLater(0, () => log.Add("timer"));
        });
        _loop.CallSoon(() => log.Add("b"));
        _loop.CallSoon(_loop.Stop);
        _loop.RunForever();
        Assert.Equal(new[] { "a", "b" }, log);
        RunBriefly(_loop);
        Assert.Equal(new[] { "a", "b", "timer" }, log);
        Assert.Equal(0.0, _loop.Time());
    }

    // CPython: test_base_events.py BaseEventLoopTests.test__run_once_schedule_handle: a due timer runs in the iteration
    // and what it schedules with call_soon waits for the next one.
    [Fact]
    public void RunOnce_DueTimerSchedulesCallSoon_ThatRunsNextIteration()
    {
        var log = new List<string>();
        _loop.CallLater(1, () =>
        {
            log.Add("timer");
            _loop.CallSoon(() => log.Add("scheduled by timer"));
            _loop.Stop();
        });
        _loop.RunForever();
        Assert.Equal(new[] { "timer" }, log);
        RunBriefly(_loop);
        Assert.Equal(new[] { "timer", "scheduled by timer" }, log);
    }

    // CPython: events.py TimerHandle runs its callback in the context captured by call_later / call_at.
    [Fact]
    public void CallLater_AsyncLocalAtScheduling_SeenByTimerCallback()
    {
        var local = new AsyncLocal<string?>();
        var seen = new List<string?>();
        local.Value = "first";
        _loop.CallLater(1, () => seen.Add(local.Value));
        local.Value = "second";
        _loop.CallAt(2, () => seen.Add(local.Value));
        local.Value = null;
        _loop.CallLater(3, _loop.Stop);
        _loop.RunForever();
        Assert.Equal(new[] { "first", "second" }, seen);
    }

    // CPython: test_events.py TimerTests.test_timer: cancel() marks it cancelled and it never runs.
    [Fact]
    public void TimerHandleCancel_BeforeDue_NeverRunsAndIsCancelled()
    {
        int runs = 0;
        TimerHandle h = _loop.CallLater(1, () => runs++);
        Assert.False(h.IsCancelled);
        h.Cancel();
        Assert.True(h.IsCancelled);
        h.Cancel();   // idempotent
        Assert.True(h.IsCancelled);
        _loop.CallLater(2, _loop.Stop);
        _loop.RunForever();
        Assert.Equal(0, runs);
        Assert.Equal(2.0, _loop.Time(), 9);
    }

    // CPython: base_events.py _run_once skips cancelled handles: a timer cancelled by an earlier callback of the
    // iteration in which it is due does not run.
    [Fact]
    public void TimerHandleCancel_ByEarlierTimerDueAtSameTime_DoesNotRun()
    {
        var log = new List<string>();
        TimerHandle? second = null;
        _loop.CallLater(1, () =>
        {
            log.Add("first");
            second!.Cancel();
        });
        second = _loop.CallLater(1, () => log.Add("second"));
        _loop.CallLater(2, _loop.Stop);
        _loop.RunForever();
        Assert.Equal(new[] { "first" }, log);
        Assert.True(second.IsCancelled);
    }

    // CPython: events.py TimerHandle.cancel() after it ran: cancelled() becomes True, nothing else happens.
    [Fact]
    public void TimerHandleCancel_AfterItRan_MarksCancelledOnly()
    {
        int runs = 0;
        TimerHandle h = _loop.CallLater(0, () => runs++);
        RunBriefly(_loop);
        Assert.Equal(1, runs);
        h.Cancel();
        Assert.True(h.IsCancelled);
        RunBriefly(_loop);
        Assert.Equal(1, runs);
    }

    // CPython: test_events.py TimerTests.test_timer_repr (adapted to this ToString)
    [Fact]
    public void TimerHandleToString_ScheduledAndCancelled_NamesWhenAndState()
    {
        TimerHandle h = _loop.CallAt(123, () => { });
        Assert.Equal("<TimerHandle when=123 scheduled>", h.ToString());
        h.Cancel();
        Assert.Equal("<TimerHandle when=123 cancelled>", h.ToString());
    }

    // Bad input: NaN delays and deadlines, null callbacks.
    [Fact]
    public void CallLaterAndCallAt_NaN_ThrowArgumentOutOfRangeNamingNaN()
    {
        var e1 = Throws<ArgumentOutOfRangeException>(() => _loop.CallLater(double.NaN, () => { }), "NaN");
        Assert.Equal("delaySeconds", e1.ParamName);
        Throws<ArgumentOutOfRangeException>(() => _loop.CallLater(double.NaN, _ => { }, null), "NaN");
        var e2 = Throws<ArgumentOutOfRangeException>(() => _loop.CallAt(double.NaN, () => { }), "NaN");
        Assert.Equal("when", e2.ParamName);
        Throws<ArgumentOutOfRangeException>(() => _loop.CallAt(double.NaN, _ => { }, null), "NaN");
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_call_later ("delay must not be None") adapted: null callback.
    [Fact]
    public void CallLaterAndCallAt_NullCallback_ThrowArgumentNull()
    {
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallLater(1, (Action)null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallLater(1, (Action<object?>)null!, null)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallLater(TimeSpan.FromSeconds(1), null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallAt(1, (Action)null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => _loop.CallAt(1, (Action<object?>)null!, null)).ParamName);
    }

    // CPython: call_later(math.inf) never fires; the loop does not spin on it.
    [Fact]
    public void CallLater_Infinite_NeverRuns()
    {
        int runs = 0;
        _loop.CallLater(double.PositiveInfinity, () => runs++);
        _loop.CallLater(Timeout.InfiniteTimeSpan, () => runs++);
        _loop.CallLater(1000, _loop.Stop);
        _loop.RunForever();
        Assert.Equal(0, runs);
        Assert.Equal(1000.0, _loop.Time(), 9);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test__run_once: a cancelled timer at the head of the heap does not
    // wake the loop; the wait goes straight to the next live timer (one iteration, time jumps to 10).
    [Fact]
    public void RunOnce_CancelledTimerAtHead_LoopWaitsForTheNextLiveTimer()
    {
        _loop.CallLater(5, () => { }).Cancel();
        double seen = -1;
        _loop.CallLater(10, () =>
        {
            seen = _loop.Time();
            _loop.Stop();
        });
        long before = _loop.Iterations;
        _loop.RunForever();
        Assert.Equal(10.0, seen, 9);
        Assert.Equal(1, _loop.Iterations - before);
    }

    // CPython: test_base_events.py BaseEventLoopTests.test__run_once_cancelled_event_cleanup. The heap is private, so
    // this reads it by reflection: below the threshold only cancelled heads are dropped; once more than half of more
    // than 100 scheduled timers are cancelled, the next iteration leaves only the live ones.
    [Fact]
    public void RunOnce_ManyCancelledTimers_HeapPurgedOfCancelledOnes()
    {
        static void Cb()
        {
        }

        int notCancelled = 1;
        _loop.CallLater(3000, Cb);   // a live head keeps the cancelled timers below from reaching the top

        int cancelled = 2;
        for (int i = 0; i < 2; i++)
        {
            _loop.CallLater(3600, Cb).Cancel();
        }

        cancelled += 2;
        for (int i = 0; i < 2; i++)
        {
            _loop.CallLater(100, Cb).Cancel();   // these are heads: dropped by the next iteration
        }

        Assert.Equal(cancelled + notCancelled, HeapCount());
        RunBriefly(_loop);
        cancelled -= 2;
        Assert.Equal(cancelled + notCancelled, HeapCount());

        const int minScheduled = 100;   // CPython's _MIN_SCHEDULED_TIMER_HANDLES
        int addCancel = (int)Math.Ceiling(minScheduled * 0.5) + 1;
        int addNotCancel = Math.Max(minScheduled - addCancel, 0);
        notCancelled += addNotCancel;
        for (int i = 0; i < addNotCancel; i++)
        {
            _loop.CallLater(3600, Cb);
        }

        for (int i = 0; i < addCancel; i++)
        {
            _loop.CallLater(3600, Cb).Cancel();
        }

        RunBriefly(_loop);
        Assert.Equal(notCancelled, HeapCount());
    }

    private int HeapCount()
    {
        object heap = typeof(EventLoop).GetField("_timers", BindingFlags.NonPublic | BindingFlags.Instance)!.GetValue(_loop)!;
        return (int)heap.GetType().GetProperty("Count")!.GetValue(heap)!;
    }

    // Wrong thread: TimerHandle.Cancel is loop-thread only while the loop runs (covered with the other members in
    // EventLoopTests); here: cancelling from another thread while the loop is stopped is allowed.
    [Fact]
    public void TimerHandleCancel_FromAnotherThreadWhileLoopIsStopped_Works()
    {
        int runs = 0;
        TimerHandle h = _loop.CallLater(1, () => runs++);
        Assert.Null(OnOtherThread(h.Cancel));
        _loop.CallLater(2, _loop.Stop);
        _loop.RunForever();
        Assert.Equal(0, runs);
    }

    // CPython: test_events.py EventLoopTestsMixin.test_timeout_rounding: tiny sleeps do not make the loop spin.
    [Fact]
    public void Sleep_TinyDelays_FewIterations()
    {
        long before = _loop.Iterations;
        _loop.RunUntilComplete(Wait());
        Assert.True(_loop.Iterations - before <= 20, $"{_loop.Iterations - before} iterations");

        static async Coroutine Wait()
        {
            await Aio.Sleep(1e-2);
            await Aio.Sleep(1e-4);
            await Aio.Sleep(1e-6);
            await Aio.Sleep(1e-8);
            await Aio.Sleep(1e-10);
        }
    }

    private static async Coroutine SleepFor(double seconds) => await Aio.Sleep(seconds);
}
