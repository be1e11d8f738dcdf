using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Ports of CPython's <c>test_events.py</c> <c>EventLoopTestsMixin.test_call_soon_threadsafe*</c>: posting from other
/// threads, waking a blocked loop, cancelling thread-safe handles. Threads are synchronised with events, never sleeps.
/// </summary>
public sealed class ThreadSafetyTests : IDisposable
{
    private readonly EventLoop _loop = NewLoop();

    public void Dispose() => _loop.Close();

    // CPython: test_events.py EventLoopTestsMixin.test_call_soon_threadsafe: a call posted from another thread before
    // call_soon runs before it (one ready queue, in call order), and the loop wakes for it.
    [Fact]
    public void CallSoonThreadSafe_PostedFromOtherThreadBeforeCallSoon_RunsFirst()
    {
        var results = new List<string>();
        void Callback(string arg)
        {
            results.Add(arg);
            if (results.Count >= 2)
            {
                _loop.Stop();
            }
        }

        Assert.Null(OnOtherThread(() => _loop.CallSoonThreadSafe(() => Callback("hello"))));
        _loop.CallSoon(() => Callback("world"));
        WithHangGuard(_loop, "RunForever", _loop.RunForever);
        Assert.Equal(new[] { "hello", "world" }, results);
    }

    // CPython: test_events.py EventLoopTestsMixin.test_call_soon_threadsafe_same_thread
    [Fact]
    public void CallSoonThreadSafe_FromLoopThreadThenCallSoon_RunInCallOrder()
    {
        var results = new List<string>();
        void Callback(string arg)
        {
            results.Add(arg);
            if (results.Count >= 2)
            {
                _loop.Stop();
            }
        }

        _loop.CallSoonThreadSafe(() => Callback("hello"));
        _loop.CallSoon(() => Callback("world"));
        WithHangGuard(_loop, "RunForever", _loop.RunForever);
        Assert.Equal(new[] { "hello", "world" }, results);
    }

    // CPython: base_events.py call_soon_threadsafe appends to the same ready deque as call_soon, so from inside a
    // running callback the two keep their call order too.
    [Fact]
    public void CallSoonThreadSafe_InterleavedWithCallSoonInsideCallback_RunInCallOrder()
    {
        var log = new List<string>();
        _loop.CallSoon(() =>
        {
            _loop.CallSoon(() => log.Add("1 soon"));
            _loop.CallSoonThreadSafe(() => log.Add("2 threadsafe"));
            _loop.CallSoon(() => log.Add("3 soon"));
            _loop.CallSoonThreadSafe(() => log.Add("4 threadsafe"));
        });
        RunBriefly(_loop);
        RunBriefly(_loop);
        Assert.Equal(new[] { "1 soon", "2 threadsafe", "3 soon", "4 threadsafe" }, log);
    }

    // CPython: test_events.py EventLoopTestsMixin.test_call_soon_threadsafe (the wake-up): a loop blocked with nothing
    // to do wakes when another thread posts.
    [Fact]
    public void CallSoonThreadSafe_WhileLoopBlockedIdle_WakesTheLoop()
    {
        using var running = new ManualResetEventSlim();
        var results = new List<string>();
        Exception? threadError = null;
        var poster = new Thread(() =>
        {
            try
            {
                Assert.True(running.Wait(ThreadTimeout), "loop never started");
                _loop.CallSoonThreadSafe(() =>
                {
                    results.Add("from thread");
                    _loop.Stop();
                });
            }
            catch (Exception e)
            {
                threadError = e;
            }
        });
        _loop.CallSoon(running.Set);
        poster.Start();
        WithHangGuard(_loop, "RunForever waiting for a thread-safe call", _loop.RunForever);
        Assert.True(poster.Join(ThreadTimeout));
        Assert.Null(threadError);
        Assert.Equal(new[] { "from thread" }, results);
    }

    // Same wake-up with the system clock (the loop blocks in the selector rather than jumping virtual time).
    [Fact]
    public void CallSoonThreadSafe_WhileSystemClockLoopBlockedOnFarTimer_WakesTheLoop()
    {
        using var loop = new EventLoop(new LoopOptions { Scheduling = Scheduling.Fifo });
        using var running = new ManualResetEventSlim();
        bool timerRan = false;
        loop.CallLater(3600, () => timerRan = true);
        loop.CallSoon(running.Set);
        var poster = new Thread(() =>
        {
            if (running.Wait(ThreadTimeout))
            {
                loop.CallSoonThreadSafe(loop.Stop);
            }
        });
        poster.Start();
        WithHangGuard(loop, "RunForever waiting for a thread-safe call", loop.RunForever);
        Assert.True(poster.Join(ThreadTimeout));
        Assert.False(timerRan);
    }

    // CPython: test_events.py EventLoopTestsMixin.test_call_soon_threadsafe_handle_cancel_other_thread
    [Fact]
    public void CallSoonThreadSafeHandleCancel_FromOtherThreadBeforeItRuns_NeverRuns()
    {
        var results = new List<string>();
        using var ev = new ManualResetEventSlim();
        bool cancelResult = false;
        bool pendingAfterCancel = true;
        var t = new Thread(() =>
        {
            Handle handle = _loop.CallSoonThreadSafe(() =>
            {
                results.Add("hello");
                _loop.Stop();
            });
            cancelResult = handle.Cancel();
            pendingAfterCancel = handle.IsPending;
            ev.Set();
            _loop.CallSoonThreadSafe(_loop.Stop);
        });

        // Block the loop until the callback is posted and cancelled on the other thread.
        _loop.CallSoon(() => Assert.True(ev.Wait(ThreadTimeout)));
        t.Start();
        WithHangGuard(_loop, "RunForever", _loop.RunForever);
        Assert.True(t.Join(ThreadTimeout));
        Assert.True(cancelResult);
        Assert.False(pendingAfterCancel);
        Assert.Empty(results);
    }

    // CPython: events.py _ThreadSafeHandle: a handle whose callback already ran can no longer be cancelled.
    [Fact]
    public void CallSoonThreadSafeHandleCancel_AfterItRan_ReturnsFalse()
    {
        int runs = 0;
        Handle h = default;
        Assert.Null(OnOtherThread(() => h = _loop.CallSoonThreadSafe(() => runs++)));
        Assert.True(h.IsPending);
        RunBriefly(_loop);
        Assert.Equal(1, runs);
        Assert.False(h.IsPending);
        Assert.False(OnOtherThreadResult(h.Cancel));
    }

    // Many threads posting at once: every call runs exactly once; each thread's calls keep their order.
    [Fact]
    public void CallSoonThreadSafe_ManyThreadsConcurrently_EveryCallRunsOnceInPerThreadOrder()
    {
        const int threads = 4, perThread = 500;
        var seen = new List<(int Thread, int Seq)>();
        using var barrier = new Barrier(threads);
        int finished = 0;
        var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
        {
            barrier.SignalAndWait(ThreadTimeout);
            for (int i = 0; i < perThread; i++)
            {
                int seq = i;
                _loop.CallSoonThreadSafe(() => seen.Add((t, seq)));
            }

            if (Interlocked.Increment(ref finished) == threads)
            {
                _loop.CallSoonThreadSafe(_loop.Stop);   // posted after every other call of every thread
            }
        })).ToList();
        workers.ForEach(w => w.Start());
        WithHangGuard(_loop, "RunForever", _loop.RunForever);
        Assert.All(workers, w => Assert.True(w.Join(ThreadTimeout)));

        Assert.Equal(threads * perThread, seen.Count);
        for (int t = 0; t < threads; t++)
        {
            Assert.Equal(Enumerable.Range(0, perThread), seen.Where(s => s.Thread == t).Select(s => s.Seq));
        }
    }

    // CPython: base_events.py call_soon_threadsafe on a closed loop: RuntimeError, from any thread.
    [Fact]
    public void CallSoonThreadSafe_ClosedLoopFromOtherThread_ThrowsNamingTheClosedLoop()
    {
        _loop.Close();
        var e = Assert.IsType<InvalidOperationException>(OnOtherThread(() => _loop.CallSoonThreadSafe(() => { })));
        Assert.Contains("closed", e.Message, StringComparison.Ordinal);
        Assert.Contains("CallSoonThreadSafe", e.Message, StringComparison.Ordinal);
    }

    // CPython: events.py call_soon_threadsafe runs the callback in the posting thread's context copy.
    [Fact]
    public void CallSoonThreadSafe_AsyncLocalOfPostingThread_SeenByCallback()
    {
        var local = new AsyncLocal<string?>();
        string? seen = "unset";
        Assert.Null(OnOtherThread(() =>
        {
            local.Value = "poster";
            _loop.CallSoonThreadSafe(() => seen = local.Value);
        }));
        RunBriefly(_loop);
        Assert.Equal("poster", seen);
    }

    // Stop from another thread: the documented way is CallSoonThreadSafe(loop.Stop); a direct Stop is refused while running.
    [Fact]
    public void Stop_FromOtherThreadViaCallSoonThreadSafe_StopsTheLoop()
    {
        using var running = new ManualResetEventSlim();
        Exception? direct = null;
        var t = new Thread(() =>
        {
            if (running.Wait(ThreadTimeout))
            {
                direct = Record.Exception(_loop.Stop);
                _loop.CallSoonThreadSafe(_loop.Stop);
            }
        });
        _loop.CallSoon(running.Set);
        t.Start();
        WithHangGuard(_loop, "RunForever", _loop.RunForever);
        Assert.True(t.Join(ThreadTimeout));
        var e = Assert.IsType<InvalidOperationException>(direct);
        Assert.Contains("CallSoonThreadSafe", e.Message, StringComparison.Ordinal);
        Assert.False(_loop.IsRunning);
    }

    private static T OnOtherThreadResult<T>(Func<T> f)
    {
        T result = default!;
        Assert.Null(OnOtherThread(() => result = f()));
        return result;
    }
}
