namespace Asyncio.Tests.Tasks;

/// <summary>
/// Ports of CPython's test_eager_task_factory.py (and test_tasks.py test_eager_start_true): with
/// <see cref="LoopOptions.EagerTasks"/> a task's first step runs inside <c>CreateTask</c>.
/// </summary>
public class EagerTaskTests
{
    private static LoopOptions Eager() => Loops.Virtual(eager: true);

    private static async Coroutine<string> Hello() => "hello";

    private static async Coroutine<string> FinishedAfterBlocking()
    {
        await Aio.Sleep(0.1);
        return "finished after blocking";
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_eager_task_factory_set
    [Fact]
    public void CreateTask_EagerLoop_ReturnsATaskThatCanBeAwaited()
    {
        Aio.Run(async () =>
        {
            Assert.True(Aio.GetRunningLoop().Options.EagerTasks);
            async Coroutine Noop()
            {
            }

            AioTask t = Aio.CreateTask(Noop());
            _ = Assert.IsAssignableFrom<AioTask>(t);
            await t;
            Assert.True(t.IsCompletedSuccessfully);
        }, Eager());
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_await_future_during_eager_step
    [Fact]
    public void CreateTask_EagerStepSetsAFutureResult_TaskIsDoneAndTheFutureHasTheResult()
    {
        string r = Aio.Run(async () =>
        {
            var fut = new Future<string>();
            async Coroutine SetResult(Future<string> f, string val) => f.SetResult(val);

            AioTask t = Aio.CreateTask(SetResult(fut, "my message"));
            Assert.True(t.IsDone);   // the eager step completed the task
            Assert.True(fut.IsDone);
            return await fut;
        }, Eager());
        Assert.Equal("my message", r);
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_eager_completion
    [Fact]
    public void CreateTask_CoroutineFinishingWithoutSuspending_IsDoneWhenCreateTaskReturns()
    {
        string r = Aio.Run(async () =>
        {
            AioTask<string> t = Aio.CreateTask(Hello());
            Assert.True(t.IsDone);
            Assert.True(t.IsCompletedSuccessfully);
            Assert.Equal("hello", t.Result);
            return await t;
        }, Eager());
        Assert.Equal("hello", r);
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_block_after_eager_step
    [Fact]
    public void CreateTask_CoroutineThatSuspends_IsPendingUntilItsLaterSteps()
    {
        string r = Aio.Run(async () =>
        {
            AioTask<string> t = Aio.CreateTask(FinishedAfterBlocking());
            Assert.False(t.IsDone);
            string result = await t;
            Assert.True(t.IsDone);
            return result;
        }, Eager());
        Assert.Equal("finished after blocking", r);
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_cancellation_after_eager_completion
    [Fact]
    public void Cancel_AfterEagerCompletion_ReturnsFalseAndTheResultStands()
    {
        string r = Aio.Run(async () =>
        {
            AioTask<string> t = Aio.CreateTask(Hello());
            Assert.False(t.Cancel());
            string result = await t;
            Assert.False(t.IsCancelled);   // a finished task can't be cancelled
            Assert.Equal(0, t.Cancelling());
            return result;
        }, Eager());
        Assert.Equal("hello", r);
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_cancellation_after_eager_step_blocks
    [Fact]
    public void Cancel_AfterTheEagerStepBlocks_TaskEndsCancelledWithTheMessage()
    {
        var e = Assert.Throws<CancelledError>(() => Aio.Run(async () =>
        {
            AioTask<string> t = Aio.CreateTask(FinishedAfterBlocking());
            t.Cancel("cancellation message");
            Assert.True(t.Cancelling() > 0);
            await t;
        }, Eager()));
        Assert.Equal("cancellation message", e.CancelMessage);
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_current_task
    [Fact]
    public void CurrentTask_InsideTheEagerStep_IsTheNewTaskAndIsRestoredAfter()
    {
        Aio.Run(async () =>
        {
            AioTask main = Aio.CurrentTask!;
            AioTask? captured = null;
            bool sameAfterBlocking = false;
            async Coroutine Coro()
            {
                captured = Aio.CurrentTask;
                await Aio.Sleep(0.1);   // the task before and after blocking is the same
                sameAfterBlocking = ReferenceEquals(Aio.CurrentTask, captured);
            }

            AioTask t = Aio.CreateTask(Coro());
            Assert.Same(t, captured);
            Assert.Same(main, Aio.CurrentTask);
            await t;
            Assert.True(sameAfterBlocking);
            Assert.Same(main, Aio.CurrentTask);
        }, Eager());
    }

    // CPython: test_eager_task_factory.py CEagerTaskFactoryLoopTests.test_name, test_tasks.py test_eager_start_true
    [Fact]
    public void Name_SeenInsideTheEagerStep_IsTheGivenName()
    {
        Aio.Run(async () =>
        {
            string? name = null;
            async Coroutine AsyncFn() => name = Aio.CurrentTask!.Name;

            AioTask t = Aio.CreateTask(AsyncFn(), name: "example");
            Assert.True(t.IsDone);
            Assert.Equal("example", name);
            await t;
        }, Eager());
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_all_tasks_with_eager_completion
    [Fact]
    public void AllTasks_DuringTheEagerStep_ListsTheTask_AndNotOnceItFinished()
    {
        Aio.Run(async () =>
        {
            IReadOnlyList<AioTask>? captured = null;
            async Coroutine Coro() => captured = Aio.AllTasks();

            AioTask t = Aio.CreateTask(Coro());
            Assert.Contains(t, captured!);
            Assert.DoesNotContain(t, Aio.AllTasks());
            await t;
        }, Eager());
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_all_tasks_with_blocking
    [Fact]
    public void AllTasks_EagerTaskThatBlocks_StaysListedUntilItIsDone()
    {
        Aio.Run(async () =>
        {
            IReadOnlyList<AioTask>? captured = null;
            var fut1 = new Future<bool>();
            var fut2 = new Future<bool>();
            async Coroutine Coro()
            {
                captured = Aio.AllTasks();
                await fut1;
                fut2.SetResult(true);
            }

            AioTask t = Aio.CreateTask(Coro());
            Assert.Contains(t, captured!);
            Assert.Contains(t, Aio.AllTasks());
            fut1.SetResult(true);
            await fut2;
            await Aio.Sleep(0);
            Assert.DoesNotContain(t, Aio.AllTasks());
            Assert.True(t.IsCompletedSuccessfully);
        }, Eager());
    }

    // CPython: test_eager_task_factory.py EagerTaskFactoryLoopTests.test_context_vars
    [Fact]
    public void AsyncLocal_EagerStepSeesTheCallersValue_AndItsChangesDoNotLeakBack()
    {
        var cv = new AsyncLocal<int>();
        Aio.Run(async () =>
        {
            bool firstStepRan = false, secondStepRan = false;
            var seen = new List<int>();
            async Coroutine Coro()
            {
                seen.Add(cv.Value);   // 1
                cv.Value = 2;
                seen.Add(cv.Value);   // 2
                firstStepRan = true;
                await Aio.Sleep(0.1);
                seen.Add(cv.Value);   // 2
                cv.Value = 3;
                seen.Add(cv.Value);   // 3
                secondStepRan = true;
            }

            cv.Value = 1;
            AioTask t = Aio.CreateTask(Coro());
            Assert.True(firstStepRan);
            Assert.False(secondStepRan);
            Assert.Equal(1, cv.Value);
            await t;
            Assert.True(secondStepRan);
            Assert.Equal(1, cv.Value);
            Assert.Equal(new[] { 1, 2, 2, 3 }, seen);
        }, Eager());
    }

    // CPython: test_eager_task_factory.py BaseTaskCountingTests.test_awaitables_chain (EagerTests: 0 tasks created)
    [Fact]
    public void Await_ChainOf100Coroutines_CreatesNoTask()
    {
        int tasksSeen = -1;
        async Coroutine<int> AwaitableChain(int depth)
        {
            if (depth == 0)
            {
                tasksSeen = Aio.AllTasks().Count;
                return 0;
            }

            return 1 + await AwaitableChain(depth - 1);
        }

        Assert.Equal(100, Aio.Run(() => AwaitableChain(100), Eager()));
        Assert.Equal(1, tasksSeen);   // only the main task
    }

    // CPython: none; eager_start semantics of tasks.py (Task.__eager_start)
    [Fact]
    public void CreateTask_EagerCoroutineThrowsBeforeSuspending_TaskFailsAndCreateTaskDoesNotThrow()
    {
        Aio.Run(async () =>
        {
            var error = new FormatException("at once");
            async Coroutine Throws() => throw error;

            AioTask t = Aio.CreateTask(Throws());
            Assert.True(t.IsFaulted);
            Assert.Same(error, t.Exception);
            Assert.Same(error, await Loops.ThrowsAsync<FormatException>(t));
        }, Eager());
    }

    // CPython: test_tasks.py test_cancel_at_end, during an eager step
    [Fact]
    public void CreateTask_EagerStepCancelsItselfAndReturns_TaskIsCancelledWhenCreateTaskReturns()
    {
        Aio.Run(async () =>
        {
            async Coroutine<int> Body()
            {
                Aio.CurrentTask!.Cancel("self");
                return 12;
            }

            AioTask<int> t = Aio.CreateTask(Body());
            Assert.True(t.IsCancelled);
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("self", e.CancelMessage);
        }, Eager());
    }

    // CPython: none; eager_start semantics of tasks.py (Task.__eager_start)
    [Fact]
    public void CreateTask_Eager_FirstStepRunsBeforeCallbacksAlreadyQueued()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            loop.CallSoon(() => log.Add("queued before"));
            async Coroutine Body()
            {
                log.Add("eager step");
                await Aio.Sleep(0);
                log.Add("second step");
            }

            AioTask t = Aio.CreateTask(Body());
            log.Add("CreateTask returned");
            await t;
        }, Eager());
        Assert.Equal(new[] { "eager step", "CreateTask returned", "queued before", "second step" }, log);
    }

    // CPython: none; eager_start semantics of tasks.py (Task.__eager_start)
    [Fact]
    public void CreateTask_EagerNested_EachLevelSeesItsOwnCurrentTask()
    {
        Aio.Run(async () =>
        {
            AioTask main = Aio.CurrentTask!;
            var seen = new List<(string Where, AioTask? Current)>();
            AioTask? inner = null;
            async Coroutine Inner()
            {
                seen.Add(("inner", Aio.CurrentTask));
                await Aio.Sleep(0);
            }

            async Coroutine Outer()
            {
                seen.Add(("outer before", Aio.CurrentTask));
                inner = Aio.CreateTask(Inner(), "inner");
                seen.Add(("outer after", Aio.CurrentTask));
                await inner;
            }

            AioTask outer = Aio.CreateTask(Outer(), "outer");
            seen.Add(("main", Aio.CurrentTask));
            await outer;

            Assert.Equal(4, seen.Count);
            Assert.Same(outer, seen[0].Current);
            Assert.Same(inner, seen[1].Current);
            Assert.Same(outer, seen[2].Current);
            Assert.Same(main, seen[3].Current);
        }, Eager());
    }

    // CPython: none; eager_start semantics of tasks.py (Task.__eager_start)
    [Fact]
    public void CreateTask_EagerFromAPlainCallback_RunsInlineAndLeavesNoCurrentTask()
    {
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            AioTask? created = null, inside = null, afterInCallback = null;
            bool doneAtReturn = false;
            async Coroutine Body() => inside = Aio.CurrentTask;

            var fired = new Future<bool>();
            loop.CallSoon(() =>
            {
                created = loop.CreateTask(Body());
                doneAtReturn = created.IsDone;
                afterInCallback = Aio.CurrentTask;
                fired.SetResult(true);
            });
            await fired;
            Assert.NotNull(created);
            Assert.Same(created, inside);
            Assert.True(doneAtReturn);
            Assert.Null(afterInCallback);
        }, Eager());
    }

    // CPython: none; eager_start semantics of tasks.py (Task.__eager_start)
    [Fact]
    public void CreateTask_EagerOnALoopThatIsNotRunning_SchedulesTheFirstStep()
    {
        using var loop = new EventLoop(Eager());
        bool ran = false;
        async Coroutine<string> Body()
        {
            ran = true;
            return "ran";
        }

        AioTask<string> t = loop.CreateTask(Body());
        Assert.False(ran);   // eager only while the loop runs, as asyncio
        Assert.False(t.IsDone);
        Assert.Equal("ran", loop.RunUntilComplete(t));
    }

    // CPython: none; eager_start semantics of tasks.py (Task.__eager_start)
    [Fact]
    public void CreateTask_EagerPlainDotNetFunction_RunsUpToItsFirstAwaitInsideCreateTask()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Body);
            log.Add("CreateTask returned");
            await t;
        }, Eager());
        Assert.Equal(new[] { "first step", "CreateTask returned", "after yield" }, log);

        async Task Body()
        {
            log.Add("first step");
            await Task.Yield();
            log.Add("after yield");
        }
    }
}
