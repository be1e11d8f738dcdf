using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Loop;

/// <summary>
/// Ports of CPython's executor tests: <c>test_events.py</c> (<c>test_run_in_executor</c>, <c>test_run_in_executor_cancel</c>),
/// <c>test_base_events.py</c> (<c>test_shutdown_default_executor_timeout</c>) and the executor parts of
/// <c>base_events.py</c> (<c>run_in_executor</c>, <c>shutdown_default_executor</c>) and <c>threads.py</c> (<c>to_thread</c>).
/// </summary>
public sealed class ExecutorTests : IDisposable
{
    private readonly EventLoop _loop = NewLoop();

    public void Dispose() => _loop.Close();

    // CPython: test_events.py EventLoopTestsMixin.test_run_in_executor
    [Fact]
    public void RunInExecutor_Function_ResultFromAnotherThread()
    {
        Future<(string, int)> f2 = _loop.RunInExecutor(() => ("yo", Environment.CurrentManagedThreadId));
        var (res, threadId) = _loop.RunUntilComplete(f2);
        Assert.Equal("yo", res);
        Assert.NotEqual(Environment.CurrentManagedThreadId, threadId);
    }

    // CPython: base_events.py run_in_executor: the future gets the function's exception.
    [Fact]
    public void RunInExecutor_FunctionThrows_FutureFailsWithTheException()
    {
        Future<int> f = _loop.RunInExecutor<int>(() => throw new FormatException("from the pool"));
        var e = Assert.Throws<FormatException>(() => _loop.RunUntilComplete(f));
        Assert.Equal("from the pool", e.Message);
        Assert.True(f.IsFaulted);
    }

    // CPython: base_events.py run_in_executor does not copy the caller's context (to_thread does).
    [Fact]
    public void RunInExecutorAndToThread_AsyncLocal_OnlyToThreadCarriesIt()
    {
        var local = new AsyncLocal<string?>();
        var (viaExecutor, viaToThread) = _loop.RunUntilComplete(Main());
        Assert.Null(viaExecutor);
        Assert.Equal("caller", viaToThread);

        async Coroutine<(string?, string?)> Main()
        {
            local.Value = "caller";
            string? a = await _loop.RunInExecutor(() => local.Value);
            string? b = await Aio.ToThread(() => local.Value);
            return (a, b);
        }
    }

    // CPython: threads.py to_thread: the result comes back to the awaiting task; exceptions too.
    [Fact]
    public void ToThread_ResultAndException_ComeBackToTheAwaitingTask()
    {
        var (value, error) = _loop.RunUntilComplete(Main());
        Assert.Equal(42, value);
        Assert.Equal("bad", error);

        static async Coroutine<(int, string?)> Main()
        {
            int v = await Aio.ToThread(() => 6 * 7);
            try
            {
                await Aio.ToThread(new Action(() => throw new FormatException("bad")));
                return (v, null);
            }
            catch (FormatException e)
            {
                return (v, e.Message);
            }
        }
    }

    // Bad input: null functions; no running loop for ToThread.
    [Fact]
    public void RunInExecutorAndToThread_NullOrNoLoop_Throw()
    {
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => _loop.RunInExecutor<int>(null!)).ParamName);
        Assert.Equal("function", Assert.Throws<ArgumentNullException>(() => _loop.RunInExecutor<int>(TaskScheduler.Default, null!)).ParamName);
        Assert.Throws<ArgumentNullException>(() => Aio.ToThread((Func<int>)null!));
        Assert.Throws<ArgumentNullException>(() => Aio.ToThread((Action)null!));
        Throws<InvalidOperationException>(() => Aio.ToThread(() => 1), "running event loop");
    }

    // CPython: base_events.py run_in_executor(executor, func) with a custom executor. Cancelling the future before the
    // work starts keeps it from running (concurrent.futures cancel of a pending work item).
    [Fact]
    public void RunInExecutor_CustomSchedulerCancelledBeforeStart_FunctionNeverRuns()
    {
        var scheduler = new ManualScheduler();
        bool ran = false;
        Future<int> f = _loop.RunInExecutor(scheduler, () =>
        {
            ran = true;
            return 1;
        });
        Assert.Equal(1, scheduler.Queued);
        Assert.True(f.Cancel());
        RunBriefly(_loop);        // the loop sees the cancellation
        scheduler.RunAll();       // the executor gets to the item only now
        RunBriefly(_loop);
        Assert.False(ran);
        Assert.True(f.IsCancelled);
    }

    // CPython: base_events.py run_in_executor with a custom executor: the work runs there and its result comes back.
    [Fact]
    public void RunInExecutor_CustomScheduler_RunsThereAndReturns()
    {
        var scheduler = new ManualScheduler();
        Future<int> f = _loop.RunInExecutor(scheduler, () => 5);
        Assert.False(f.IsDone);
        Assert.Null(OnOtherThread(scheduler.RunAll));
        Assert.Equal(5, _loop.RunUntilComplete(f));
    }

    // CPython: test_events.py EventLoopTestsMixin.test_run_in_executor_cancel: cancel, shut the executor down, close:
    // the work finishing later posts nothing to the closed loop.
    [Fact]
    public void RunInExecutor_CancelledThenShutdownAndClose_NothingReachesTheClosedLoop()
    {
        using var started = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        using var finished = new ManualResetEventSlim();
        var reports = new List<LoopExceptionContext>();
        _loop.SetExceptionHandler((_, c) => reports.Add(c));
        Future<int> f = _loop.RunInExecutor(() =>
        {
            started.Set();
            gate.Wait(ThreadTimeout);
            finished.Set();
            return 1;
        });
        Assert.True(started.Wait(ThreadTimeout));
        Assert.True(f.Cancel());
        gate.Set();
        _loop.RunUntilComplete(_loop.ShutdownDefaultExecutorAsync());   // waits for the running work
        Assert.True(finished.IsSet);
        _loop.Close();
        Assert.True(f.IsCancelled);
        Assert.Empty(reports);
    }

    // CPython: base_events.py shutdown_default_executor waits for the work in flight (thread.join()).
    [Fact]
    public void ShutdownDefaultExecutorAsync_WorkInFlight_WaitsForIt()
    {
        using var started = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        _loop.RunUntilComplete(Main());

        async Coroutine Main()
        {
            Future<int> work = Aio.ToThread(() =>
            {
                started.Set();
                gate.Wait(ThreadTimeout);
                return 7;
            });
            await Aio.ToThread(() => started.Wait(ThreadTimeout));
            AioTask shutdown = Aio.CreateTask(_loop.ShutdownDefaultExecutorAsync());
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.False(shutdown.IsDone);
            gate.Set();
            await shutdown;
            Assert.True(work.IsDone);
            Assert.Equal(7, work.Result);
        }
    }

    // CPython: base_events.py shutdown_default_executor: each call waits in its own thread for executor.shutdown(wait=True),
    // so two concurrent calls both return once the work is done.
    [Fact]
    public void ShutdownDefaultExecutorAsync_TwoConcurrentCalls_BothCompleteWhenWorkEnds()
    {
        using var started = new ManualResetEventSlim();
        using var gate = new ManualResetEventSlim();
        var reports = new List<LoopExceptionContext>();
        _loop.SetExceptionHandler((_, c) => reports.Add(c));
        try
        {
            _loop.RunUntilComplete(Main());
        }
        finally
        {
            gate.Set();
        }

        Assert.Empty(reports);

        async Coroutine Main()
        {
            _ = Aio.ToThread(() =>
            {
                started.Set();
                gate.Wait(ThreadTimeout);
            });
            await Aio.ToThread(() => started.Wait(ThreadTimeout));
            AioTask first = Aio.CreateTask(_loop.ShutdownDefaultExecutorAsync(TimeSpan.FromSeconds(30)));
            AioTask second = Aio.CreateTask(_loop.ShutdownDefaultExecutorAsync(TimeSpan.FromSeconds(30)));
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.False(first.IsDone);
            Assert.False(second.IsDone);
            gate.Set();
            await second;
            await first;
        }
    }

    // CPython: base_events.py shutdown_default_executor with nothing to wait for returns at once; a second call too.
    [Fact]
    public void ShutdownDefaultExecutorAsync_NoWork_ReturnsAndCanBeCalledAgain()
    {
        _loop.RunUntilComplete(_loop.ShutdownDefaultExecutorAsync());
        _loop.RunUntilComplete(_loop.ShutdownDefaultExecutorAsync(TimeSpan.FromSeconds(1)));
        Assert.Equal(0.0, _loop.Time());
    }

    // CPython: test_base_events.py (3.12+) test_default_executor_call_after_shutdown: 'Executor shutdown has been called'
    [Fact]
    public void RunInExecutorAndToThread_AfterShutdown_ThrowNamingTheShutdown()
    {
        _loop.RunUntilComplete(Main());

        async Coroutine Main()
        {
            bool called = false;
            await _loop.ShutdownDefaultExecutorAsync();
            Throws<InvalidOperationException>(() => _loop.RunInExecutor(() => called = true), "shut down");
            Throws<InvalidOperationException>(() => Aio.ToThread(() => called = true), "shut down");
            Assert.False(called);

            // A custom executor is not the default one: still allowed.
            Assert.Equal(3, await _loop.RunInExecutor(TaskScheduler.Default, () => 3));
        }
    }

    // CPython: base_events.py close() shuts the default executor down (executor.shutdown(wait=False)).
    [Fact]
    public void Close_ThenRunInExecutor_Refused()
    {
        _loop.Close();
        Throws<InvalidOperationException>(() => _loop.RunInExecutor(() => 1), "closed");
    }

    // CPython: test_base_events.py BaseEventLoopTests.test_shutdown_default_executor_timeout: when the work does not
    // finish in time the shutdown gives up and says so (RuntimeWarning in CPython; the exception handler here, naming
    // the work still running, as documented on ShutdownDefaultExecutorAsync).
    [Fact]
    public void ShutdownDefaultExecutorAsync_WorkOutlivesTimeout_ReportsGivingUp()
    {
        var reports = new List<LoopExceptionContext>();
        _loop.SetExceptionHandler((_, c) => reports.Add(c));
        try
        {
            _loop.RunUntilComplete(Main());
        }
        finally
        {
            _gate.Set();
        }

        var report = Assert.Single(reports);
        Assert.Contains("did not finish", report.Message, StringComparison.Ordinal);
        Assert.Contains("gave up", report.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(BlockUntilReleased), report.Message, StringComparison.Ordinal);

        async Coroutine Main()
        {
            _ = Aio.ToThread(BlockUntilReleased);
            await Aio.ToThread(() => _started.Wait(ThreadTimeout));
            await _loop.ShutdownDefaultExecutorAsync(TimeSpan.FromMilliseconds(10));
        }
    }

    private readonly ManualResetEventSlim _started = new();
    private readonly ManualResetEventSlim _gate = new();

    private int BlockUntilReleased()
    {
        _started.Set();
        _gate.Wait(ThreadTimeout);
        return 0;
    }

    // Bad input: negative timeout.
    [Fact]
    public void ShutdownDefaultExecutorAsync_NegativeTimeout_ThrowsArgumentOutOfRange()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => _loop.RunUntilComplete(_loop.ShutdownDefaultExecutorAsync(TimeSpan.FromSeconds(-1))));
        Assert.Equal("timeout", e.ParamName);
        Assert.Contains("negative", e.Message, StringComparison.Ordinal);
    }

    /// <summary>A TaskScheduler that runs its tasks only when told to.</summary>
    private sealed class ManualScheduler : TaskScheduler
    {
        private readonly List<Task> _tasks = new();

        public int Queued
        {
            get
            {
                lock (_tasks)
                {
                    return _tasks.Count;
                }
            }
        }

        public void RunAll()
        {
            Task[] tasks;
            lock (_tasks)
            {
                tasks = _tasks.ToArray();
                _tasks.Clear();
            }

            foreach (Task t in tasks)
            {
                TryExecuteTask(t);
            }
        }

        protected override IEnumerable<Task> GetScheduledTasks()
        {
            lock (_tasks)
            {
                return _tasks.ToArray();
            }
        }

        protected override void QueueTask(Task task)
        {
            lock (_tasks)
            {
                _tasks.Add(task);
            }
        }

        protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) => false;
    }
}
