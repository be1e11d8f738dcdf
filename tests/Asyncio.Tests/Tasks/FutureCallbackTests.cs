using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Tasks;

/// <summary>Ports of CPython's <c>test_futures.py</c> <c>BaseFutureDoneCallbackTests</c> and the scheduling rules of <c>futures.py</c>.</summary>
public sealed class FutureCallbackTests : IDisposable
{
    private readonly EventLoop _loop = NewLoop();

    public void Dispose() => _loop.Close();

    private static Action<AioFuture> Appender(List<int> bag, int thing) => _ => bag.Add(thing);

    // CPython: test_futures.py BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_result
    [Fact]
    public void AddDoneCallback_SetResult_CallbacksRunInOrderThroughTheLoop()
    {
        var bag = new List<int>();
        var f = _loop.CreateFuture<string>();
        f.AddDoneCallback(Appender(bag, 42));
        f.AddDoneCallback(Appender(bag, 17));

        Assert.Empty(bag);
        f.SetResult("foo");
        Assert.Empty(bag);   // never inline: scheduled with CallSoon

        RunBriefly(_loop);
        Assert.Equal(new[] { 42, 17 }, bag);
        Assert.Equal("foo", f.Result);
    }

    // CPython: test_futures.py BaseFutureDoneCallbackTests.test_callbacks_invoked_on_set_exception
    [Fact]
    public void AddDoneCallback_SetException_CallbackRunsThroughTheLoop()
    {
        var bag = new List<int>();
        var f = _loop.CreateFuture<string>();
        f.AddDoneCallback(Appender(bag, 100));

        var exc = new InvalidOperationException();
        f.SetException(exc);
        Assert.Empty(bag);

        RunBriefly(_loop);
        Assert.Equal(new[] { 100 }, bag);
        Assert.Same(exc, f.Exception);
    }

    // CPython: futures.py Future.cancel -> __schedule_callbacks
    [Fact]
    public void AddDoneCallback_Cancel_CallbackRunsThroughTheLoopWithTheFuture()
    {
        var seen = new List<AioFuture>();
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(seen.Add);
        Assert.True(f.Cancel("why"));
        Assert.Empty(seen);
        RunBriefly(_loop);
        Assert.Same(f, Assert.Single(seen));
        Assert.True(seen[0].IsCancelled);
    }

    // CPython: test_futures.py BaseFutureDoneCallbackTests.test_callbacks_remove_first_callback
    [Fact]
    public void RemoveDoneCallback_FirstCallback_OthersStillRun()
    {
        var bag = new List<int>();
        var f = _loop.CreateFuture<string>();
        var cb1 = Appender(bag, 42);
        var cb2 = Appender(bag, 17);
        var cb3 = Appender(bag, 100);
        f.AddDoneCallback(cb1);
        f.AddDoneCallback(cb2);
        f.AddDoneCallback(cb3);

        Assert.Equal(1, f.RemoveDoneCallback(cb1));
        Assert.Equal(0, f.RemoveDoneCallback(cb1));

        Assert.Empty(bag);
        f.SetResult("foo");
        RunBriefly(_loop);
        Assert.Equal(new[] { 17, 100 }, bag);
        Assert.Equal("foo", f.Result);
    }

    // CPython: test_futures.py BaseFutureDoneCallbackTests.test_callbacks_remove_first_and_second_callback
    [Fact]
    public void RemoveDoneCallback_FirstAndSecond_OnlyThirdRuns()
    {
        var bag = new List<int>();
        var f = _loop.CreateFuture<string>();
        var cb1 = Appender(bag, 42);
        var cb2 = Appender(bag, 17);
        var cb3 = Appender(bag, 100);
        f.AddDoneCallback(cb1);
        f.AddDoneCallback(cb2);
        f.AddDoneCallback(cb3);

        f.RemoveDoneCallback(cb1);
        f.RemoveDoneCallback(cb2);
        f.RemoveDoneCallback(cb1);

        f.SetResult("foo");
        RunBriefly(_loop);
        Assert.Equal(new[] { 100 }, bag);
    }

    // CPython: test_futures.py BaseFutureDoneCallbackTests.test_callbacks_remove_third_callback
    [Fact]
    public void RemoveDoneCallback_Third_FirstTwoRun()
    {
        var bag = new List<int>();
        var f = _loop.CreateFuture<string>();
        var cb1 = Appender(bag, 42);
        var cb2 = Appender(bag, 17);
        var cb3 = Appender(bag, 100);
        f.AddDoneCallback(cb1);
        f.AddDoneCallback(cb2);
        f.AddDoneCallback(cb3);

        f.RemoveDoneCallback(cb3);
        f.RemoveDoneCallback(cb3);

        f.SetResult("foo");
        RunBriefly(_loop);
        Assert.Equal(new[] { 42, 17 }, bag);
    }

    // CPython: test_futures.py BaseFutureDoneCallbackTests.test_remove_done_callback
    [Fact]
    public void RemoveDoneCallback_SeveralInstances_RemovesAllAndReturnsCount()
    {
        var bag = new List<int>();
        var f = _loop.CreateFuture<string>();
        var cb1 = Appender(bag, 1);
        var cb2 = Appender(bag, 2);
        var cb3 = Appender(bag, 3);

        f.AddDoneCallback(cb1);
        f.AddDoneCallback(cb2);
        Assert.Equal(1, f.RemoveDoneCallback(cb2));
        Assert.Equal(0, f.RemoveDoneCallback(cb3));

        f.AddDoneCallback(cb2);
        for (int i = 0; i < 5; i++)
        {
            f.AddDoneCallback(cb1);
        }

        Assert.Equal(6, f.RemoveDoneCallback(cb1));
        Assert.Empty(bag);
        f.SetResult("foo");
        RunBriefly(_loop);
        Assert.Equal(new[] { 2 }, bag);
        Assert.Equal("foo", f.Result);
    }

    // CPython: futures.py remove_done_callback compares with ==: an equal delegate (same method and target) matches.
    [Fact]
    public void RemoveDoneCallback_EqualDelegateOfSameMethod_Matches()
    {
        var recorder = new Recorder();
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(recorder.OnDone);   // each method-group conversion makes a new, equal delegate
        f.AddDoneCallback(recorder.OnDone);
        Assert.Equal(2, f.RemoveDoneCallback(recorder.OnDone));
        Assert.Equal(0, f.RemoveDoneCallback(new Recorder().OnDone));   // another target: not equal
        f.SetResult(1);
        RunBriefly(_loop);
        Assert.Equal(0, recorder.Calls);
    }

    // CPython: futures.py remove_done_callback on a future without callbacks, and on a done one.
    [Fact]
    public void RemoveDoneCallback_NothingRegisteredOrAlreadyDone_ReturnsZero()
    {
        var bag = new List<int>();
        var cb = Appender(bag, 1);
        var f = _loop.CreateFuture<int>();
        Assert.Equal(0, f.RemoveDoneCallback(cb));

        f.AddDoneCallback(cb);
        f.SetResult(1);
        Assert.Equal(0, f.RemoveDoneCallback(cb));   // already scheduled: it runs anyway
        RunBriefly(_loop);
        Assert.Equal(new[] { 1 }, bag);
    }

    // Bad input: null callbacks.
    [Fact]
    public void AddAndRemoveDoneCallback_Null_ThrowArgumentNull()
    {
        var f = _loop.CreateFuture<int>();
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => f.AddDoneCallback(null!)).ParamName);
        Assert.Equal("callback", Assert.Throws<ArgumentNullException>(() => f.RemoveDoneCallback(null!)).ParamName);
    }

    // CPython: futures.py add_done_callback on a done future: loop.call_soon (never inline).
    [Fact]
    public void AddDoneCallback_AfterDone_ScheduledNotInline()
    {
        var bag = new List<int>();
        var f = _loop.CreateFuture<int>();
        f.SetResult(5);
        f.AddDoneCallback(Appender(bag, 1));
        Assert.Empty(bag);
        RunBriefly(_loop);
        Assert.Equal(new[] { 1 }, bag);
    }

    // CPython: futures.py __schedule_callbacks uses loop.call_soon at completion time, so done callbacks take their
    // place in the ready queue between callbacks queued before and after the completion.
    [Fact]
    public void SetResult_InterleavedWithCallSoon_CallbacksTakeTheirPlaceInTheReadyQueue()
    {
        var log = new List<string>();
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(_ => log.Add("cb1"));
        f.AddDoneCallback(_ => log.Add("cb2"));
        _loop.CallSoon(() => log.Add("before"));
        f.SetResult(1);
        _loop.CallSoon(() => log.Add("after"));
        f.AddDoneCallback(_ => log.Add("cb3 (added when done)"));
        RunBriefly(_loop);
        Assert.Equal(new[] { "before", "cb1", "cb2", "after", "cb3 (added when done)" }, log);
    }

    // CPython: futures.py: completing a future from a callback schedules its done callbacks for the next iteration.
    [Fact]
    public void SetResult_FromCallback_DoneCallbacksRunNextIteration()
    {
        var log = new List<string>();
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(_ => log.Add("done-callback"));
        _loop.CallSoon(() =>
        {
            f.SetResult(1);
            log.Add("setter");
        });
        _loop.CallSoon(() =>
        {
            log.Add("same iteration");
            _loop.Stop();
        });
        _loop.RunForever();
        Assert.Equal(new[] { "setter", "same iteration" }, log);
        RunBriefly(_loop);
        Assert.Equal(new[] { "setter", "same iteration", "done-callback" }, log);
    }

    // CPython: test_futures.py BaseFutureDoneCallbackTests.test_schedule_callbacks_list_mutation_1
    [Fact]
    public void DoneCallback_RemovingOtherCallbacksWhileRunning_AllScheduledOnesStillRun()
    {
        var log = new List<string>();
        var f = _loop.CreateFuture<int>();
        Action<AioFuture> str = _ => log.Add("str");
        f.AddDoneCallback(fut =>
        {
            log.Add("mut");
            Assert.Equal(0, fut.RemoveDoneCallback(str));   // already scheduled: nothing left to remove
        });
        f.AddDoneCallback(str);
        f.AddDoneCallback(str);
        f.SetResult(1);
        RunBriefly(_loop);
        Assert.Equal(new[] { "mut", "str", "str" }, log);
    }

    // CPython: futures.py: a done callback that adds another done callback to the (done) future gets it scheduled.
    [Fact]
    public void DoneCallback_AddingACallbackWhileRunning_NewOneRunsNextIteration()
    {
        var log = new List<string>();
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(fut =>
        {
            log.Add("first");
            fut.AddDoneCallback(_ => log.Add("added"));
        });
        f.AddDoneCallback(_ => log.Add("second"));
        f.SetResult(1);
        RunBriefly(_loop);
        Assert.Equal(new[] { "first", "second", "added" }, log);
    }

    // CPython: test_futures.py BaseFutureDoneCallbackTests.test_remove_done_callbacks_list_mutation (adapted: many
    // registrations, removal of a middle one keeps the order of the rest)
    [Fact]
    public void RemoveDoneCallback_AmongManyRegistrations_KeepsOrderOfTheRest()
    {
        var log = new List<int>();
        var f = _loop.CreateFuture<int>();
        Action<AioFuture> id = _ => log.Add(-1);
        for (int i = 0; i < 64; i++)
        {
            int k = i;
            f.AddDoneCallback(k % 2 == 0 ? id : _ => log.Add(k));
        }

        Assert.Equal(32, f.RemoveDoneCallback(id));
        f.SetResult(1);
        RunBriefly(_loop);
        Assert.Equal(Enumerable.Range(0, 64).Where(k => k % 2 == 1), log);
    }

    // CPython: tasks.py: a task awaiting a future registers its wake-up as one more done callback, so user callbacks
    // added before and after the await run before and after the task resumes.
    [Fact]
    public void AddDoneCallback_AroundATaskAwaitingTheFuture_RunInRegistrationOrder()
    {
        var log = new List<string>();
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(_ => log.Add("cb before await"));

        async Coroutine Waiter()
        {
            int v = await f;
            log.Add($"task resumed with {v}");
        }

        AioTask t = _loop.CreateTask(Waiter());
        RunBriefly(_loop);   // the task starts and waits on f
        f.AddDoneCallback(_ => log.Add("cb after await"));
        Assert.Empty(log);

        f.SetResult(7);
        _loop.RunUntilComplete(t);
        RunBriefly(_loop);
        Assert.Equal(new[] { "cb before await", "task resumed with 7", "cb after await" }, log);
    }

    // CPython: tasks are futures: add_done_callback on a task runs, through the loop, once the task is done.
    [Fact]
    public void AddDoneCallback_OnTask_RunsAfterTheTaskFinishesWithTheTask()
    {
        var seen = new List<AioFuture>();
        async Coroutine<int> Work()
        {
            await Aio.Sleep(1);
            return 3;
        }

        AioTask<int> t = _loop.CreateTask(Work());
        t.AddDoneCallback(seen.Add);
        Action<AioFuture> removed = _ => seen.Add(null!);
        t.AddDoneCallback(removed);
        Assert.Equal(1, t.RemoveDoneCallback(removed));
        Assert.Equal(3, _loop.RunUntilComplete(t));
        RunBriefly(_loop);
        Assert.Same(t, Assert.Single(seen));
    }

    // CPython: futures.py add_done_callback(fn, context=None) copies the current context; the callback runs in it.
    [Fact]
    public void AddDoneCallback_AsyncLocalAtRegistration_SeenByCallback()
    {
        var local = new AsyncLocal<string?>();
        var seen = new List<string?>();
        var f = _loop.CreateFuture<int>();
        local.Value = "registered";
        f.AddDoneCallback(_ => seen.Add(local.Value));
        local.Value = "later";
        f.AddDoneCallback(_ =>
        {
            seen.Add(local.Value);
            local.Value = "changed inside";   // must not leak into the next callback
        });
        local.Value = null;
        f.AddDoneCallback(_ => seen.Add(local.Value));
        f.SetResult(1);
        RunBriefly(_loop);
        Assert.Equal(new[] { "registered", "later", null }, seen);
    }

    // CPython: events.py Handle._run: an exception in a done callback goes to the exception handler as
    // "Exception in callback <the callback>" (the future's callbacks are ordinary handles).
    [Fact]
    public void DoneCallback_Throws_ReportedNamingTheUserCallback()
    {
        var contexts = new List<LoopExceptionContext>();
        _loop.SetExceptionHandler((_, c) => contexts.Add(c));
        var ran = new List<string>();
        var f = _loop.CreateFuture<int>();
        f.AddDoneCallback(ThrowingDoneCallback);
        f.AddDoneCallback(_ => ran.Add("next"));
        f.SetResult(1);
        RunBriefly(_loop);

        Assert.Equal(new[] { "next" }, ran);   // the failure does not stop the other callbacks
        var c = Assert.Single(contexts);
        Assert.IsType<DivideByZeroException>(c.Exception);
        Assert.StartsWith("Exception in callback", c.Message, StringComparison.Ordinal);
        Assert.Contains(nameof(ThrowingDoneCallback), c.Message, StringComparison.Ordinal);
    }

    private static void ThrowingDoneCallback(AioFuture f) => throw new DivideByZeroException();

    // Wrong thread: while the loop runs, a future's methods are loop-thread only.
    [Fact]
    public void FutureMethods_FromAnotherThreadWhileLoopRuns_ThrowNamingTheThreads()
    {
        var f = _loop.CreateFuture<int>();
        var errors = new List<Exception?>();
        _loop.CallSoon(() =>
        {
            errors.Add(OnOtherThread(() => f.SetResult(1)));
            errors.Add(OnOtherThread(() => f.TrySetResult(1)));
            errors.Add(OnOtherThread(() => f.SetException(new InvalidOperationException())));
            errors.Add(OnOtherThread(() => f.Cancel()));
            errors.Add(OnOtherThread(() => f.AddDoneCallback(_ => { })));
            errors.Add(OnOtherThread(() => f.RemoveDoneCallback(_ => { })));
            errors.Add(OnOtherThread(() => _ = f.Result));
            _loop.Stop();
        });
        _loop.RunForever();

        Assert.Equal(7, errors.Count);
        foreach (Exception? e in errors)
        {
            var ioe = Assert.IsType<InvalidOperationException>(e);
            Assert.Contains("this loop runs on thread", ioe.Message, StringComparison.Ordinal);
            Assert.Contains("CallSoonThreadSafe", ioe.Message, StringComparison.Ordinal);
        }

        Assert.False(f.IsDone);
    }

    private sealed class Recorder
    {
        public int Calls;

        public void OnDone(AioFuture f) => Calls++;
    }
}
