using System.Runtime.CompilerServices;

namespace Asyncio.Tests.Tasks;

/// <summary>
/// Coroutine semantics (DESIGN.md decision 2 and the docs of <see cref="Coroutine{T}"/>): cold until awaited or made a
/// task; <c>await F()</c> runs F's first step synchronously in the current task; no stack growth for long chains;
/// clear errors for misuse; exceptions keep their type.
/// </summary>
public class CoroutineTests
{
    private static async Coroutine<int> One() => 1;

    private static async Coroutine Nothing()
    {
    }

    private static async Coroutine<int> YieldThen(int value)
    {
        await Aio.Sleep(0);
        return value;
    }

    // ------------------------------------------------------------------ cold

    // CPython: a coroutine object runs nothing until awaited or wrapped in a task (test_tasks.py test_task_repr
    // shows coro=<... running> only once the task stepped it).
    [Fact]
    public void Coroutine_NeverAwaited_NeverRuns()
    {
        bool ran = false;
        async Coroutine Body()
        {
            ran = true;
            await Aio.Sleep(0);
        }

        Aio.Run(async () =>
        {
            Coroutine c = Body();
            for (int i = 0; i < 5; i++)
            {
                await Aio.Sleep(0);
            }

            Assert.False(ran);
            GC.KeepAlive(c);
        }, Loops.Virtual());
        Assert.False(ran);
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Coroutine_Created_RunsOnlyWhenAwaited()
    {
        var log = new List<string>();
        async Coroutine<int> Body()
        {
            log.Add("body");
            return 5;
        }

        int r = Aio.Run(async () =>
        {
            Coroutine<int> c = Body();
            log.Add("created");
            await Aio.Sleep(0);
            log.Add("awaiting");
            return await c;
        }, Loops.Virtual());
        Assert.Equal(5, r);
        Assert.Equal(new[] { "created", "awaiting", "body" }, log);
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Name_OfACoroutine_IsItsMethodName_AndToStringSaysCoroutine()
    {
        Coroutine<int> c = One();
        Assert.Equal("CoroutineTests.One", c.Name);
        Assert.Equal("<coroutine CoroutineTests.One>", c.ToString());
        Assert.Equal("<default coroutine>", default(Coroutine<int>).Name);
        Aio.Run(async () => await c, Loops.Virtual());   // consume it
    }

    // ------------------------------------------------------------------ await runs inline

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_Coroutine_FirstStepRunsSynchronouslyBeforeCallbacksAlreadyQueued()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            async Coroutine F()
            {
                log.Add("F first step");
                await Aio.Sleep(0);
                log.Add("F second step");
            }

            Aio.GetRunningLoop().CallSoon(() => log.Add("callback"));
            await F();
            log.Add("after await");
        }, Loops.Virtual());
        Assert.Equal(new[] { "F first step", "callback", "F second step", "after await" }, log);
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_CoroutineThatFinishesAfterSuspending_ParentResumesInTheSameStep()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            async Coroutine<int> F()
            {
                await Aio.Sleep(0);
                log.Add("F finishing");
                loop.CallSoon(() => log.Add("queued by F"));
                return 1;
            }

            await F();
            log.Add("parent resumed");   // before anything F queued: no extra loop iteration
            await Aio.Sleep(0);
        }, Loops.Virtual());
        Assert.Equal(new[] { "F finishing", "parent resumed", "queued by F" }, log);
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_ManySynchronousCoroutines_TakesNoLoopIteration()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            Aio.GetRunningLoop().CallSoon(() => log.Add("callback"));
            int sum = 0;
            for (int i = 0; i < 1000; i++)
            {
                sum += await One();
                await Nothing();
            }

            log.Add("awaited " + sum);
            await Aio.Sleep(0);
        }, Loops.Virtual());
        Assert.Equal(new[] { "awaited 1000", "callback" }, log);
    }

    // CPython: test_eager_task_factory.py BaseTaskCountingTests.test_awaitables_chain (non-eager: 1 task)
    [Fact]
    public void Await_ChainOfCoroutines_RunsInTheCurrentTaskWithoutCreatingTasks()
    {
        var currents = new HashSet<AioTask?>();
        int maxTasks = 0;
        async Coroutine<int> AwaitableChain(int depth)
        {
            currents.Add(Aio.CurrentTask);
            maxTasks = Math.Max(maxTasks, Aio.AllTasks().Count);
            if (depth == 0)
            {
                await Aio.Sleep(0);
                return 0;
            }

            return 1 + await AwaitableChain(depth - 1);
        }

        Assert.Equal(100, Aio.Run(() => AwaitableChain(100), Loops.Virtual()));
        Assert.Single(currents);
        Assert.Equal(1, maxTasks);
    }

    // ------------------------------------------------------------------ no stack overflow

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_OneMillionSynchronousCoroutinesInALoop_DoesNotOverflowTheStack()
    {
        long r = Aio.Run(async () =>
        {
            long s = 0;
            for (int i = 0; i < 1_000_000; i++)
            {
                s += await One();
            }

            return s;
        }, Loops.Virtual());
        Assert.Equal(1_000_000, r);
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_ChainOneMillionDeep_DoesNotOverflowTheStack()
    {
        static async Coroutine<int> Depth(int n) => n == 0 ? 0 : 1 + await Depth(n - 1);

        Assert.Equal(1_000_000, Aio.Run(() => Depth(1_000_000), Loops.Virtual()));
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_ChainOneHundredThousandDeepWhoseLeafSuspends_UnwindsWithoutOverflow()
    {
        static async Coroutine<int> Depth(int n)
        {
            if (n == 0)
            {
                await Aio.Sleep(1);
                return 0;
            }

            return 1 + await Depth(n - 1);
        }

        Assert.Equal(100_000, Aio.Run(() => Depth(100_000), Loops.Virtual()));
    }

    // Not a million: every level rethrows with ExceptionDispatchInfo, which appends to the stack trace, so the cost
    // grows with the square of the depth (as with .NET async Task chains).
    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_DeepChainThatThrows_PropagatesWithoutOverflow()
    {
        static async Coroutine<int> Depth(int n) => n == 0 ? throw new FormatException("bottom") : 1 + await Depth(n - 1);

        var e = Assert.Throws<FormatException>(() => Aio.Run(() => Depth(2_000), Loops.Virtual()));
        Assert.Equal("bottom", e.Message);
    }

    // ------------------------------------------------------------------ misuse

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_SameCoroutineTwice_ThrowsAClearInvalidOperationException()
    {
        Aio.Run(async () =>
        {
            Coroutine<int> c = One();
            Assert.Equal(1, await c);
            var e = await Loops.ThrowsAsync<InvalidOperationException>(async () => await c);
            Assert.Contains("CoroutineTests.One", e.Message);
            Assert.Contains("already awaited or wrapped in a task", e.Message);
            Assert.Contains("Aio.CreateTask", e.Message);   // says what to do instead
        }, Loops.Virtual());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_StaleCopyAfterTheFrameWasRecycled_ThrowsAClearInvalidOperationException()
    {
        Aio.Run(async () =>
        {
            Coroutine<int> c = One();
            Coroutine<int> copy = c;
            Assert.Equal(1, await c);
            // The finished frame went back to its pool; the next call of the same method may reuse it.
            Coroutine<int> next = One();
            var e = await Loops.ThrowsAsync<InvalidOperationException>(async () => await copy);
            Assert.Contains("already awaited or wrapped in a task", e.Message);
            Assert.Equal(1, await next);   // the new user of the box is not disturbed
        }, Loops.Virtual());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_StaleCopyOfAFailedCoroutine_ThrowsAClearInvalidOperationException()
    {
        static async Coroutine<int> Fails() => throw new FormatException("once");

        Aio.Run(async () =>
        {
            Coroutine<int> c = Fails();
            Coroutine<int> copy = c;
            await Loops.ThrowsAsync<FormatException>(async () => await c);
            var e = await Loops.ThrowsAsync<InvalidOperationException>(async () => await copy);
            Assert.Contains("already awaited or wrapped in a task", e.Message);
        }, Loops.Virtual());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void CreateTask_CoroutineAlreadyAwaited_ThrowsAndAwait_CoroutineAlreadyATask_Throws()
    {
        Aio.Run(async () =>
        {
            Coroutine<int> awaited = One();
            await awaited;
            var e1 = Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(awaited));
            Assert.Contains("already awaited or wrapped in a task", e1.Message);

            Coroutine<int> tasked = YieldThen(2);
            AioTask<int> t = Aio.CreateTask(tasked);
            var e2 = await Loops.ThrowsAsync<InvalidOperationException>(async () => await tasked);
            Assert.Contains("already awaited or wrapped in a task", e2.Message);
            var e3 = Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(tasked));
            Assert.Contains("already awaited or wrapped in a task", e3.Message);
            Assert.Equal(2, await t);
        }, Loops.Virtual());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_DefaultCoroutine_ThrowsAClearInvalidOperationException()
    {
        Aio.Run(async () =>
        {
            var e1 = await Loops.ThrowsAsync<InvalidOperationException>(async () => await default(Coroutine<int>));
            Assert.Contains("default(Coroutine<Int32>)", e1.Message);
            Assert.Contains("holds no coroutine", e1.Message);

            var e2 = await Loops.ThrowsAsync<InvalidOperationException>(async () => await default(Coroutine));
            Assert.Contains("default(Coroutine)", e2.Message);

            var e3 = Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(default(Coroutine<int>)));
            Assert.Contains("default(Coroutine<Int32>)", e3.Message);
            var e4 = Assert.Throws<InvalidOperationException>(() => Aio.CreateTask(default(Coroutine)));
            Assert.Contains("default(Coroutine)", e4.Message);
        }, Loops.Virtual());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void GetResult_OfACoroutineThatHasNotFinished_ThrowsAClearInvalidOperationException()
    {
        Aio.Run(async () =>
        {
            CoroutineAwaiter<int> awaiter = YieldThen(1).GetAwaiter();
            Assert.False(awaiter.IsCompleted);
            var e = Assert.Throws<InvalidOperationException>(() => awaiter.GetResult());
            Assert.Contains("has not finished", e.Message);
            await Aio.Sleep(0);
        }, Loops.Virtual());
    }

    // ------------------------------------------------------------------ exceptions

    private sealed class MyError(string message) : Exception(message);

    private static async Coroutine<int> Level3(bool suspendFirst)
    {
        if (suspendFirst)
        {
            await Aio.Sleep(1);
        }

        throw new MyError("from level 3");
    }

    private static async Coroutine<int> Level2(bool suspendFirst) => await Level3(suspendFirst) + 1;

    private static async Coroutine Level1(bool suspendFirst) => await Level2(suspendFirst);

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Exception_ThrownInANestedCoroutine_ReachesTheCallerWithItsOriginalTypeAndTrace(bool suspendFirst)
    {
        Aio.Run(async () =>
        {
            MyError? caught = null;
            try
            {
                await Level1(suspendFirst);
            }
            catch (MyError e)
            {
                caught = e;
            }

            Assert.NotNull(caught);
            Assert.Equal("from level 3", caught.Message);
            Assert.Contains(nameof(Level3), caught.StackTrace);
            Assert.Contains(nameof(Level2), caught.StackTrace);
            Assert.Contains(nameof(Level1), caught.StackTrace);

            // The same through a task: the task fails with that very instance.
            AioTask t = Aio.CreateTask(Level1(suspendFirst));
            MyError viaTask = await Loops.ThrowsAsync<MyError>(t);
            Assert.Same(viaTask, t.Exception);
        }, Loops.Virtual());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Exception_CaughtByAnOuterCoroutine_TheTaskGoesOn()
    {
        int r = Aio.Run(async () =>
        {
            async Coroutine<int> Outer()
            {
                try
                {
                    return await Level2(true);
                }
                catch (MyError)
                {
                    return await YieldThen(-1);
                }
            }

            return await Aio.CreateTask(Outer());
        }, Loops.Virtual());
        Assert.Equal(-1, r);
    }

    // ------------------------------------------------------------------ from plain .NET async code

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_CoroutineFromPlainAsyncTaskCode_RunsItAsATaskOfItsOwn()
    {
        Aio.Run(async () =>
        {
            AioTask outer = Aio.CurrentTask!;
            AioTask? inside = null;
            int tasksInside = 0;
            async Coroutine<int> Coro()
            {
                inside = Aio.CurrentTask;
                tasksInside = Aio.AllTasks().Count;
                await Aio.Sleep(1);
                return 21;
            }

            async Task<int> Helper() => 2 * await Coro();

            Assert.Equal(42, await Helper());
            Assert.NotNull(inside);
            Assert.NotSame(outer, inside);
            Assert.Contains("Coro", inside!.CoroutineName);
            Assert.True(inside.IsCompletedSuccessfully);
            Assert.Equal(2, tasksInside);
        }, Loops.Virtual());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Await_FailingCoroutineFromPlainAsyncTaskCode_RethrowsItsException()
    {
        Aio.Run(async () =>
        {
            async Task<int> Helper() => await Level2(true);

            var e = await Loops.ThrowsAsync<MyError>(async () => await Helper());
            Assert.Equal("from level 3", e.Message);
        }, Loops.Virtual());
    }

    // ------------------------------------------------------------------ misuse from plain .NET async code

    /// <summary>
    /// Does with <paramref name="getAwaiter"/>'s awaiter what an <c>async Task</c> method does: GetAwaiter and
    /// IsCompleted may throw (the method's Task then faults, which is fine); UnsafeOnCompleted must not, because
    /// AsyncTaskMethodBuilder rethrows such an exception on the thread pool, and that terminates the process.
    /// </summary>
    private static void AssertAwaitFailsTheAwaitingTaskNotTheProcess<TAwaiter>(
        Func<TAwaiter> getAwaiter, Func<TAwaiter, bool> isCompleted, Action<TAwaiter> getResult)
        where TAwaiter : ICriticalNotifyCompletion
    {
        TAwaiter awaiter;
        try
        {
            awaiter = getAwaiter();
            if (isCompleted(awaiter))
            {
                Assert.IsType<InvalidOperationException>(Record.Exception(() => getResult(awaiter)));
                return;
            }
        }
        catch (InvalidOperationException)
        {
            return;   // thrown inside the async method: its Task faults with it
        }

        var resumed = new ManualResetEventSlim();
        Exception? registration = Record.Exception(() => awaiter.UnsafeOnCompleted(resumed.Set));
        Assert.True(registration is null,
            $"UnsafeOnCompleted threw {registration?.GetType().Name}: {registration?.Message} In an async Task method, " +
            "AsyncTaskMethodBuilder rethrows that on the thread pool, which terminates the process.");
        Assert.True(resumed.Wait(TimeSpan.FromSeconds(10)), "the continuation never ran");
        Assert.IsType<InvalidOperationException>(Record.Exception(() => getResult(awaiter)));
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Sleep_AwaitedFromPlainAsyncCodeWithoutALoop_FailsTheAwaitingTaskNotTheProcess()
    {
        AssertAwaitFailsTheAwaitingTaskNotTheProcess(
            () => Aio.Sleep(1).GetAwaiter(), a => a.IsCompleted, a => a.GetResult());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void Coroutine_AwaitedFromPlainAsyncCodeWithoutALoop_FailsTheAwaitingTaskNotTheProcess()
    {
        AssertAwaitFailsTheAwaitingTaskNotTheProcess(
            () => YieldThen(1).GetAwaiter(), a => a.IsCompleted, a => a.GetResult());
    }

    // CPython: none; Asyncio.NET coroutine semantics (DESIGN.md decision 2, Coroutine<T> docs)
    [Fact]
    public void AioTask_AwaitedFromPlainAsyncCodeOnAnotherThread_DoesNotTerminateTheProcess()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            var gate = new Future<int>();
            async Coroutine<int> Waiter() => await gate;
            AioTask<int> t = Aio.CreateTask(Waiter());
            await Aio.Sleep(0);

            var resumed = new ManualResetEventSlim();
            bool failedEarly = false;
            Exception? registration = null;
            await Aio.ToThread(() =>
            {
                // What `await t` in a Task.Run lambda does.
                try
                {
                    AioTaskAwaiter<int> awaiter = t.GetAwaiter();
                    Assert.False(awaiter.IsCompleted);
                    registration = Record.Exception(() => awaiter.UnsafeOnCompleted(resumed.Set));
                }
                catch (InvalidOperationException)
                {
                    failedEarly = true;
                }
            });
            Assert.True(failedEarly || registration is null,
                $"UnsafeOnCompleted threw {registration?.GetType().Name}: {registration?.Message} In an async Task method, " +
                "AsyncTaskMethodBuilder rethrows that on the thread pool, which terminates the process.");

            gate.SetResult(1);
            Assert.Equal(1, await t);
            if (!failedEarly)
            {
                Assert.True(await Aio.WrapFuture(Task.Run(() => resumed.Wait(TimeSpan.FromSeconds(10)))),
                    "the continuation registered from the other thread never ran");
            }
        }, Loops.Virtual()));
    }
}
