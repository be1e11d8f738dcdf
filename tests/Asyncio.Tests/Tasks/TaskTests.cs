using System.Text.RegularExpressions;

namespace Asyncio.Tests.Tasks;

/// <summary>Ports of CPython's test_tasks.py (task creation, naming, outcome, current/all tasks, callbacks, ordering).</summary>
public class TaskTests
{
    private static async Coroutine<string> Notmuch() => "ok";

    private static async Coroutine<int> ReturnsAfterYield(int value)
    {
        await Aio.Sleep(0);
        return value;
    }

    private static async Coroutine NoOp()
    {
    }

    private static async Coroutine<int> WaitFor(Future<int> fut) => await fut;

    private static async Coroutine Fail(Exception e)
    {
        await Aio.Sleep(0);
        throw e;
    }

    // ------------------------------------------------------------------ creation and outcome

    // CPython: test_tasks.py BaseTaskTests.test_task_class
    [Fact]
    public void CreateTask_OnLoopNotRunning_RunsToItsResult()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask<string> t = loop.CreateTask(Notmuch());
        Assert.False(t.IsDone);

        Assert.Equal("ok", loop.RunUntilComplete(t));
        Assert.True(t.IsDone);
        Assert.True(t.IsCompletedSuccessfully);
        Assert.False(t.IsCancelled);
        Assert.False(t.IsFaulted);
        Assert.Equal("ok", t.Result);
        Assert.Same(loop, t.Loop);
    }

    // CPython: test_tasks.py BaseTaskTests.test_task_basics
    [Fact]
    public void RunUntilComplete_CoroutineAwaitingTwoCoroutines_ReturnsTheirSum()
    {
        static async Coroutine<int> Inner1() => 42;
        static async Coroutine<int> Inner2() => 1000;
        static async Coroutine<int> Outer()
        {
            int a = await Inner1();
            int b = await Inner2();
            return a + b;
        }

        using var loop = new EventLoop(Loops.Virtual());
        Assert.Equal(1042, loop.RunUntilComplete(Outer()));
    }

    // CPython: test_tasks.py BaseTaskTests.test_bare_create_task
    [Fact]
    public void CreateTask_InsideRunningLoop_ReturnsTaskWhoseAwaitGivesTheResult()
    {
        int r = Aio.Run(async () =>
        {
            AioTask<int> task = Aio.CreateTask(ReturnsAfterYield(1));
            _ = Assert.IsAssignableFrom<AioTask>(task);
            Assert.Same(Aio.GetRunningLoop(), task.Loop);
            return await task;
        }, Loops.Virtual());
        Assert.Equal(1, r);
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void Await_FinishedTaskSeveralTimes_ReturnsTheSameResultEachTime()
    {
        Aio.Run(async () =>
        {
            AioTask<int> task = Aio.CreateTask(ReturnsAfterYield(7));
            Assert.Equal(7, await task);
            Assert.Equal(7, await task);
            Assert.Equal(7, task.Result);
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_coroutine_non_gen_function_return_future
    [Fact]
    public void CreateTask_CoroutineReturningAFuture_ResultIsTheFutureItself()
    {
        Aio.Run(async () =>
        {
            var fut = new Future<string>();
            async Coroutine<Future<string>> Func() => fut;
            async Coroutine Coro() => fut.SetResult("test");

            AioTask<Future<string>> t1 = Aio.CreateTask(Func());
            AioTask t2 = Aio.CreateTask(Coro());
            Assert.Same(fut, await t1);
            await t2;
            Assert.True(t2.IsCompletedSuccessfully);
            Assert.Equal("test", fut.Result);
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_step_result_future
    [Fact]
    public void Await_PendingFuture_TaskResumesWithItsResult()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut = new Future<object>(loop);
        object? result = null;
        async Coroutine WaitForFuture() => result = await fut;

        AioTask t = loop.CreateTask(WaitForFuture());
        Loops.RunBriefly(loop);
        Assert.False(t.IsDone);

        var res = new object();
        fut.SetResult(res);
        Loops.RunBriefly(loop);
        Assert.Same(res, result);
        Assert.True(t.IsCompletedSuccessfully);
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void Result_OfPendingTask_ThrowsInvalidStateError()
    {
        Aio.Run(async () =>
        {
            AioTask<int> t = Aio.CreateTask(ReturnsAfterYield(1));
            var e = Assert.Throws<InvalidStateError>(() => t.Result);
            Assert.Contains("Result is not ready", e.Message);
            Assert.Contains("pending", e.Message);
            var e2 = Assert.Throws<InvalidStateError>(() => t.Exception);
            Assert.Contains("Exception is not set", e2.Message);
            await t;
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_exception_traceback
    [Fact]
    public void Exception_OfFailedTask_IsTheThrownExceptionWithItsStackTrace()
    {
        Aio.Run(async () =>
        {
            var error = new DivideByZeroException("1 / 0");
            AioTask task = Aio.CreateTask(Fail(error));
            await Loops.WaitDone(task);
            Assert.True(task.IsFaulted);
            Assert.False(task.IsCancelled);
            Assert.Same(error, task.Exception);
            Assert.NotNull(task.Exception!.StackTrace);
            Assert.Contains(nameof(Fail), task.Exception.StackTrace);

            var thrown = await Loops.ThrowsAsync<DivideByZeroException>(task);
            Assert.Same(error, thrown);
        }, Loops.Virtual());
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void Result_OfFailedTask_RethrowsTheSameException()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var error = new InvalidTimeZoneException("boom");
        AioTask<int> task = loop.CreateTask(FailWithResult(error));
        var e = Assert.Throws<InvalidTimeZoneException>(() => loop.RunUntilComplete(task));
        Assert.Same(error, e);
        Assert.Same(error, Assert.Throws<InvalidTimeZoneException>(() => task.Result));

        static async Coroutine<int> FailWithResult(Exception e)
        {
            await Aio.Sleep(0);
            throw e;
        }
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void Exception_OfSucceededTask_IsNull()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask<string> t = loop.CreateTask(Notmuch());
        loop.RunUntilComplete(t);
        Assert.Null(t.Exception);
    }

    // CPython: test_tasks.py BaseTaskTests.test_other_loop_future
    [Fact]
    public void Await_FutureOfAnotherLoop_FailsTheTaskWithAClearError()
    {
        using var other = new EventLoop(Loops.Virtual());
        var fut = new Future<int>(other);
        async Coroutine Run() => await fut;

        using var loop = new EventLoop(Loops.Virtual());
        var e = Assert.Throws<InvalidOperationException>(() => loop.RunUntilComplete(Run()));
        Assert.Contains("belongs to", e.Message);
        Assert.Contains("Future", e.Message);
    }

    // CPython: test_tasks.py BaseTaskTests.test_task_awaits_on_itself
    [Fact]
    public void Await_TaskOnItself_FailsWithTaskCannotAwaitOnItself()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask? task = null;
        async Coroutine Test() => await task!;
        task = loop.CreateTask(Test());

        var e = Assert.Throws<InvalidOperationException>(() => loop.RunUntilComplete(task));
        Assert.Contains("Task cannot await on itself", e.Message);
        Assert.True(task.IsFaulted);
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void CreateTask_WithoutRunningLoop_ThrowsAndTheCoroutineNeverRuns()
    {
        bool ran = false;
        async Coroutine Body() => ran = true;

        var e = Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(Body()));
        Assert.Contains("Aio.CreateTask", e.Message);
        Assert.Contains("running event loop", e.Message);
        Assert.False(ran);
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void CreateTask_OnClosedLoop_Throws()
    {
        var loop = new EventLoop(Loops.Virtual());
        loop.Close();
        var e = Assert.Throws<InvalidOperationException>(() => loop.CreateTask(NoOp()));
        Assert.Contains("closed event loop", e.Message);
    }

    // CPython: test_tasks.py BaseTaskTests.test_eager_start_false
    [Fact]
    public void CreateTask_NotEager_BodyRunsOnlyOnALaterIteration()
    {
        Aio.Run(async () =>
        {
            string? name = null;
            async Coroutine AsyncFn() => name = Aio.CurrentTask!.Name;

            AioTask t = Aio.CreateTask(AsyncFn(), name: "example");
            Assert.False(t.IsDone);
            Assert.Null(name);
            await t;
            Assert.Equal("example", name);
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_stop_while_run_in_complete
    [Fact]
    public void RunUntilComplete_TaskStopsTheLoop_ThrowsAndTaskStaysPending()
    {
        using var loop = new EventLoop(Loops.Virtual());
        int x = 0;
        async Coroutine Task()
        {
            while (x < 10)
            {
                await Aio.Sleep(0.1);
                x++;
                if (x == 2)
                {
                    loop.Stop();
                }
            }
        }

        AioTask t = loop.CreateTask(Task());
        var e = Assert.Throws<InvalidOperationException>(() => loop.RunUntilComplete(t));
        Assert.Contains("stopped before the future completed", e.Message);
        Assert.False(t.IsDone);
        Assert.Equal(2, x);

        t.Cancel();
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.True(t.IsCancelled);
    }

    // ------------------------------------------------------------------ names

    // CPython: test_tasks.py BaseTaskTests.test_task_repr_autogenerated
    [Fact]
    public void Name_NotGiven_IsTaskNWithIncreasingNumbers()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask t1 = loop.CreateTask(NoOp());
        AioTask t2 = loop.CreateTask(NoOp());
        var m1 = Regex.Match(t1.Name, @"^Task-(\d+)$");
        var m2 = Regex.Match(t2.Name, @"^Task-(\d+)$");
        Assert.True(m1.Success, t1.Name);
        Assert.True(m2.Success, t2.Name);
        Assert.True(int.Parse(m1.Groups[1].Value) < int.Parse(m2.Groups[1].Value));
        Assert.NotEqual(t1.ToString(), t2.ToString());
        loop.RunUntilComplete(t2);   // t1 ran first (FIFO); t2 is pending when the loop starts
        Assert.True(t1.IsDone);
    }

    // CPython: test_tasks.py BaseTaskTests.test_task_repr_autogenerated (run_until_complete of a task that is already
    // done must run one iteration and return, as asyncio's run_until_complete does)
    [Fact]
    public void RunUntilComplete_TaskAlreadyDone_ReturnsItsResult()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask<string> t1 = loop.CreateTask(Notmuch());
        AioTask<string> t2 = loop.CreateTask(Notmuch());
        loop.RunUntilComplete(t1);
        Assert.True(t2.IsDone);   // both first steps ran in the same iteration

        string? result = null;
        Exception? error = null;
        using var finished = new ManualResetEventSlim();
        var thread = new Thread(() =>
        {
            try
            {
                result = loop.RunUntilComplete(t2);
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                finished.Set();
            }
        }) { IsBackground = true };
        thread.Start();
        bool returned = finished.Wait(TimeSpan.FromSeconds(5));
        if (!returned)
        {
            loop.CallSoonThreadSafe(loop.Stop);   // unstick the loop so the thread ends
            finished.Wait(TimeSpan.FromSeconds(10));
        }

        Assert.True(returned, "RunUntilComplete of a task that is already done did not return (the loop kept running).");
        Assert.Null(error);
        Assert.Equal("ok", result);
    }

    // CPython: test_tasks.py BaseTaskTests.test_bare_create_named_task
    [Fact]
    public void Name_GivenToCreateTask_IsTheTaskName()
    {
        Aio.Run(async () =>
        {
            AioTask task = Aio.CreateTask(NoOp(), name: "No-op");
            Assert.Equal("No-op", task.Name);
            await task;
            Assert.Equal("No-op", task.Name);
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_task_set_name_pylong, test_task_repr_name_not_str
    [Fact]
    public void Name_Set_ReplacesTheName()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask t = loop.CreateTask(NoOp(), name: "987654321");
        Assert.Equal("987654321", t.Name);
        t.Name = "123456789";
        Assert.Equal("123456789", t.Name);
        Assert.Contains("name='123456789'", t.ToString());
        loop.RunUntilComplete(t);
        Assert.Throws<ArgumentNullException>(() => t.Name = null!);
    }

    // CPython: test_tasks.py BaseTaskTests.test_get_coro
    [Fact]
    public void CoroutineName_OfStaticMethodCoroutine_IsTypeAndMethod()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask t = loop.CreateTask(NoOp());
        Assert.Equal("TaskTests.NoOp", t.CoroutineName);
        Assert.Equal("TaskTests.NoOp", NoOpName());
        loop.RunUntilComplete(t);
        Assert.Equal("TaskTests.NoOp", t.CoroutineName);

        static string NoOpName() => NoOp().Name;   // the coroutine itself is never run
    }

    // CPython: test_tasks.py BaseTaskTests.test_task_repr (coro=<...test_task_repr.<locals>.notmuch()>)
    [Fact]
    public void CoroutineName_OfLocalFunctionCoroutine_NamesTheLocalFunction()
    {
        async Coroutine<int> LocalNotmuch() => 123;

        using var loop = new EventLoop(Loops.Virtual());
        AioTask<int> t = loop.CreateTask(LocalNotmuch());
        Assert.Contains("LocalNotmuch", t.CoroutineName);
        Assert.DoesNotContain("<lambda>", t.CoroutineName);
        loop.RunUntilComplete(t);
    }

    // ------------------------------------------------------------------ ToString (repr)

    // CPython: test_tasks.py BaseTaskTests.test_task_repr, test_task_repr_wait_for
    [Fact]
    public void ToString_PendingTask_NamesStateNameCoroutineAndWhatItAwaits()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut = new Future<int>(loop);

        AioTask<int> task = loop.CreateTask(WaitFor(fut), name: "TestTask");
        Assert.Contains("pending", task.ToString());
        Assert.Contains("name='TestTask'", task.ToString());
        Assert.Contains("coro=TaskTests.WaitFor", task.ToString());

        Loops.RunBriefly(loop);
        Assert.Contains("<Future<Int32> pending>", task.ToString());

        fut.SetResult(5);
        loop.RunUntilComplete(task);
        Assert.Contains("finished", task.ToString());
        Assert.Contains("result=5", task.ToString());
    }

    // CPython: test_tasks.py BaseTaskTests.test_task_repr (cancelled), test_cancelling, test_uncancel_basic
    [Fact]
    public void ToString_CancelRequestedThenCancelled_SaysCancellingThenCancelled()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask t = loop.CreateTask(ForeverSleeper(), name: "TestTask");
        Assert.DoesNotContain(" cancelling ", t.ToString());

        t.Cancel();   // does not take immediate effect
        Assert.Contains(" cancelling ", t.ToString());

        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Contains("cancelled", t.ToString());
        Assert.DoesNotContain(" cancelling ", t.ToString());

        static async Coroutine ForeverSleeper() => await Aio.Sleep(10);
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void ToString_FailedTask_ShowsTheException()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask t = loop.CreateTask(Fail(new FormatException("bad format")));
        Assert.Throws<FormatException>(() => loop.RunUntilComplete(t));
        Assert.Contains("finished", t.ToString());
        Assert.Contains("FormatException: bad format", t.ToString());
    }

    // ------------------------------------------------------------------ current task, all tasks

    // CPython: test_tasks.py BaseTaskTests.test_current_task, BaseCurrentLoopTests.test_current_task_no_running_loop
    [Fact]
    public void CurrentTask_InsideTheTask_IsThatTask_AndNoneOutsideSteps()
    {
        using var loop = new EventLoop(Loops.Virtual());
        Assert.Null(loop.CurrentTask);
        AioTask? task = null;
        AioTask? inCallback = task;
        bool callbackRan = false;
        async Coroutine Coro()
        {
            Assert.Same(task, Aio.CurrentTask);
            Assert.Same(task, loop.CurrentTask);
            loop.CallSoon(() =>
            {
                callbackRan = true;
                inCallback = Aio.CurrentTask;
            });
            await Aio.Sleep(0);
            Assert.Same(task, Aio.CurrentTask);
        }

        task = loop.CreateTask(Coro());
        loop.RunUntilComplete(task);
        Assert.True(callbackRan);
        Assert.Null(inCallback);
        Assert.Null(loop.CurrentTask);
    }

    // CPython: test_tasks.py BaseCurrentLoopTests.test_current_task_no_running_loop_implicit
    [Fact]
    public void CurrentTask_WithoutRunningLoop_ThrowsNoRunningLoop()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Aio.CurrentTask);
        Assert.Contains("Aio.CurrentTask", e.Message);
        Assert.Contains("running event loop", e.Message);
    }

    // CPython: test_tasks.py BaseTaskTests.test_current_task_with_interleaving_tasks
    [Fact]
    public void CurrentTask_InterleavingTasks_FollowsEachStep()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut1 = new Future<bool>(loop);
        var fut2 = new Future<bool>(loop);
        AioTask? task1 = null, task2 = null;
        var seen = new List<string>();

        async Coroutine Coro1()
        {
            seen.Add(ReferenceEquals(Aio.CurrentTask, task1) ? "1a" : "1a-wrong");
            await fut1;
            seen.Add(ReferenceEquals(Aio.CurrentTask, task1) ? "1b" : "1b-wrong");
            fut2.SetResult(true);
        }

        async Coroutine Coro2()
        {
            seen.Add(ReferenceEquals(Aio.CurrentTask, task2) ? "2a" : "2a-wrong");
            fut1.SetResult(true);
            await fut2;
            seen.Add(ReferenceEquals(Aio.CurrentTask, task2) ? "2b" : "2b-wrong");
        }

        task1 = loop.CreateTask(Coro1());
        task2 = loop.CreateTask(Coro2());
        loop.RunUntilComplete(task2);
        Assert.True(task1.IsDone);
        Assert.Equal(new[] { "1a", "2a", "1b", "2b" }, seen);
        Assert.Null(loop.CurrentTask);
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void AllTasks_ListsOnlyPendingTasksOfTheLoop()
    {
        Aio.Run(async () =>
        {
            AioTask main = Aio.CurrentTask!;
            Assert.Equal(new[] { main }, Aio.AllTasks());

            var fut = new Future<int>();
            async Coroutine<int> Waiter() => await fut;
            AioTask<int> waiting = Aio.CreateTask(Waiter(), "waiting");
            AioTask<string> quick = Aio.CreateTask(Notmuch(), "quick");
            Assert.Equal(3, Aio.AllTasks().Count);
            Assert.Contains(quick, Aio.AllTasks());   // created, not started: pending

            await quick;
            var all = Aio.AllTasks();
            Assert.DoesNotContain(quick, all);
            Assert.Contains(waiting, all);
            Assert.Contains(main, all);

            fut.SetResult(1);
            await waiting;
            Assert.Equal(new[] { main }, Aio.AllTasks());
        }, Loops.Virtual());
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void AllTasks_WithoutRunningLoop_ThrowsNoRunningLoop()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Aio.AllTasks());
        Assert.Contains("Aio.AllTasks", e.Message);
    }

    // ------------------------------------------------------------------ done callbacks

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void AddDoneCallback_OnTask_RunsOnALaterIterationWithTheTask()
    {
        Aio.Run(async () =>
        {
            var log = new List<string>();
            AioTask<int> t = Aio.CreateTask(ReturnsAfterYield(3));
            AioFuture? arg = null;
            bool doneInCallback = false;
            AioTask? currentInCallback = t;
            t.AddDoneCallback(f =>
            {
                arg = f;
                doneInCallback = f.IsDone;
                currentInCallback = Aio.CurrentTask;   // a callback, not a task step
                log.Add("cb1");
            });
            t.AddDoneCallback(_ => log.Add("cb2"));
            Assert.Empty(log);

            await t;
            // The awaiter was registered after the callbacks, so they ran first, in registration order.
            Assert.Equal(new[] { "cb1", "cb2" }, log);
            Assert.Same(t, arg);
            Assert.True(doneInCallback);
            Assert.Null(currentInCallback);

            // Added after the task is done: scheduled through the loop, never called inline.
            t.AddDoneCallback(_ => log.Add("late"));
            Assert.Equal(2, log.Count);
            await Aio.Sleep(0);
            Assert.Equal(new[] { "cb1", "cb2", "late" }, log);
        }, Loops.Virtual());
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void RemoveDoneCallback_BeforeCompletion_TheCallbackNeverRuns()
    {
        Aio.Run(async () =>
        {
            var log = new List<string>();
            Action<AioFuture> removed = _ => log.Add("removed");
            AioTask<int> t = Aio.CreateTask(ReturnsAfterYield(3));
            t.AddDoneCallback(removed);
            t.AddDoneCallback(_ => log.Add("kept"));
            t.AddDoneCallback(removed);
            Assert.Equal(2, t.RemoveDoneCallback(removed));
            Assert.Equal(0, t.RemoveDoneCallback(removed));
            await t;
            await Aio.Sleep(0);
            Assert.Equal(new[] { "kept" }, log);
        }, Loops.Virtual());
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void AddDoneCallback_OnCancelledTask_SeesTheTaskCancelled()
    {
        Aio.Run(async () =>
        {
            bool? cancelled = null;
            AioTask<int> t = Aio.CreateTask(ReturnsAfterYield(3));
            t.AddDoneCallback(f => cancelled = f.IsCancelled);
            t.Cancel();
            await Loops.WaitDone(t);
            await Aio.Sleep(0);
            Assert.True(cancelled);
        }, Loops.Virtual());
    }

    // ------------------------------------------------------------------ ordering

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void Steps_OfSeveralTasks_RunInCreationOrderAndInterleaveFifo()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            async Coroutine Worker(string name)
            {
                for (int i = 0; i < 3; i++)
                {
                    log.Add($"{name}{i}");
                    await Aio.Sleep(0);
                }
            }

            var tasks = new[] { "a", "b", "c" }.Select(n => Aio.CreateTask(Worker(n))).ToList();
            foreach (var t in tasks)
            {
                await t;
            }
        }, Loops.Virtual());
        Assert.Equal(new[] { "a0", "b0", "c0", "a1", "b1", "c1", "a2", "b2", "c2" }, log);
    }

    // CPython: none; asyncio Task semantics (tasks.py) adapted to the C# API
    [Fact]
    public void CreateTask_FirstStep_RunsAfterCallbacksAlreadyQueued()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            loop.CallSoon(() => log.Add("cb-before"));
            async Coroutine Body() => log.Add("task");
            AioTask t = Aio.CreateTask(Body());
            loop.CallSoon(() => log.Add("cb-after"));
            await t;
        }, Loops.Virtual());
        Assert.Equal(new[] { "cb-before", "task", "cb-after" }, log);
    }

    // ------------------------------------------------------------------ run_coroutine_threadsafe

    private static async Coroutine<int> Add(int a, int b, bool fail = false, bool cancel = false)
    {
        await Aio.Sleep(0);   // CPython sleeps 0.05 s; here no time passes (a blocked thread holds virtual time back)
        if (fail)
        {
            throw new InvalidOperationException("Fail!");
        }

        if (cancel)
        {
            Aio.CurrentTask!.Cancel();
            await Aio.Sleep(0);
        }

        return a + b;
    }

    /// <summary>What another thread does with the Task that RunCoroutineThreadSafe returns: block on it (bounded).</summary>
    private static T BlockOn<T>(Task<T> task) => task.WaitAsync(TimeSpan.FromSeconds(20)).GetAwaiter().GetResult();

    // CPython: test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe
    [Fact]
    public void RunCoroutineThreadSafe_FromAnotherThread_ReturnsTheCoroutinesResult()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            int result = await Aio.ToThread(() => BlockOn(Aio.RunCoroutineThreadSafe(Add(1, 2), loop)));
            Assert.Equal(3, result);
        }, Loops.Virtual()));
    }

    private static async Coroutine<int> SleepThenAnswer()
    {
        await Aio.Sleep(5);
        return 42;
    }

    [Fact]
    public void RunCoroutineThreadSafe_FromToThreadWork_WaitingForASleepingCoroutine_LetsVirtualTimeRun()
    {
        // The worker holds virtual time while it runs; once it waits for a coroutine on its own loop, it must not, or
        // the coroutine's sleep could never end and neither could the worker.
        (int Answer, double Time) result = default;
        Loops.RunBounded(() => result = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            int answer = await Aio.ToThread(() => BlockOn(Aio.RunCoroutineThreadSafe(SleepThenAnswer(), loop)));
            return (answer, loop.Time());
        }, Loops.Virtual()));
        Assert.Equal(42, result.Answer);
        Assert.Equal(5.0, result.Time, 3);
    }

    [Fact]
    public void RunCoroutineThreadSafe_FromToThreadWork_StillRunning_IsNotADeadlock()
    {
        // The worker hands the loop a coroutine that never ends and goes on working. While the loop sits idle with
        // no timer, it must wait for the worker, not report a deadlock: the worker may not be waiting for the coroutine.
        int answer = 0;
        Loops.RunBounded(() => answer = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            using var started = new SemaphoreSlim(0);
            async Coroutine<int> Forever()
            {
                started.Release();
                return await new Future<int>();
            }

            int result = await Aio.ToThread(() =>
            {
                _ = Aio.RunCoroutineThreadSafe(Forever(), loop);
                Assert.True(started.Wait(TimeSpan.FromSeconds(20)), "the coroutine never started");
                // Go on only once the loop has reached its wait step, idle, with this work still running.
                Assert.True(SpinWait.SpinUntil(() => loop._inWaitStep, TimeSpan.FromSeconds(20)), "the loop never waited");
                return 7;
            });
            foreach (AioTask t in Aio.AllTasks())
            {
                if (t != Aio.CurrentTask)
                {
                    t.Cancel();
                }
            }

            return result;
        }, Loops.Virtual()));
        Assert.Equal(7, answer);
    }

    // CPython: test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_with_exception
    [Fact]
    public void RunCoroutineThreadSafe_CoroutineFails_TheOtherThreadGetsTheException()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var e = await Loops.ThrowsAsync<InvalidOperationException>(async () =>
                await Aio.ToThread(() => BlockOn(Aio.RunCoroutineThreadSafe(Add(1, 2, fail: true), loop))));
            Assert.Equal("Fail!", e.Message);
        }, Loops.Virtual()));
    }

    // CPython: test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_with_timeout
    [Fact]
    public void RunCoroutineThreadSafe_CallerGivesUpAndCancels_TheLoopTaskIsCancelled()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            async Coroutine<int> Never() => await new Future<int>();
            using var cts = new CancellationTokenSource();
            Task<int>? pending = null;
            bool doneInTime = await Aio.ToThread(() =>
            {
                pending = Aio.RunCoroutineThreadSafe(Never(), loop, cts.Token);
                bool done = pending.Wait(0);   // future.result(timeout=0) -> TimeoutError
                cts.Cancel();                  // future.cancel()
                return done;
            });
            Assert.False(doneInTime);
            await Loops.ThrowsAsync<TaskCanceledException>(async () => await Aio.WrapFuture(pending!));
            await Aio.Sleep(0);
            Assert.Equal(new[] { Aio.CurrentTask! }, Aio.AllTasks());   // the loop task was cancelled
        }, Loops.Virtual()));
    }

    // CPython: test_tasks.py RunCoroutineThreadsafeTests.test_run_coroutine_threadsafe_task_cancelled
    [Fact]
    public void RunCoroutineThreadSafe_LoopTaskEndsCancelled_TheReturnedTaskIsCanceled()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            Task<int> t = await Aio.ToThread(() =>
            {
                Task<int> started = Aio.RunCoroutineThreadSafe(Add(1, 2, cancel: true), loop);
                _ = Record.Exception(() => BlockOn(started));
                return started;
            });
            Assert.True(t.IsCanceled);
        }, Loops.Virtual()));
    }
}
