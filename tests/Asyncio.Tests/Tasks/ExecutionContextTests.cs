using System.Diagnostics;

namespace Asyncio.Tests.Tasks;

/// <summary>
/// AsyncLocal (asyncio's contextvars) per task, and plain .NET async code inside coroutines: ports of CPython's
/// test_tasks.py test_context_1..3, plus the loop-thread guarantees of DESIGN.md decision 3.
/// </summary>
public class ExecutionContextTests
{
    // ------------------------------------------------------------------ AsyncLocal per task

    // CPython: none; AsyncLocal as contextvars, plain .NET async code on the loop (DESIGN.md decisions 2-3)
    [Fact]
    public void AsyncLocal_SetInACoroutineAwaitedInline_IsSeenByTheCaller()
    {
        var local = new AsyncLocal<string?>();
        Aio.Run(async () =>
        {
            async Coroutine SetSync() => local.Value = "sync";
            async Coroutine SetAfterSuspending()
            {
                await Aio.Sleep(1);
                local.Value = "after suspending";
            }

            local.Value = "main";
            await SetSync();
            Assert.Equal("sync", local.Value);   // one task, one context: as contextvars within a task
            await SetAfterSuspending();
            Assert.Equal("after suspending", local.Value);
            await Aio.Sleep(0);
            Assert.Equal("after suspending", local.Value);
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_context_1
    [Fact]
    public void AsyncLocal_SubtaskCopiesTheContextAtCreation_AndItsChangesStayInIt()
    {
        var cvar = new AsyncLocal<string?>();
        var seen = new List<string?>();
        Aio.Run(async () =>
        {
            async Coroutine Sub()
            {
                await Aio.Sleep(0.01);
                seen.Add(cvar.Value);   // null: copied before main set it
                cvar.Value = "something else";
            }

            Assert.Null(cvar.Value);
            AioTask subtask = Aio.CreateTask(Sub());
            cvar.Value = "yes";
            Assert.Equal("yes", cvar.Value);
            await subtask;
            Assert.Equal("yes", cvar.Value);
        }, Loops.Virtual());
        Assert.Equal(new string?[] { null }, seen);
    }

    // CPython: test_tasks.py BaseTaskTests.test_context_2
    [Fact]
    public void AsyncLocal_ChangedByADoneCallback_DoesNotPolluteTheTask()
    {
        var cvar = new AsyncLocal<string?>();
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            Assert.Null(cvar.Value);
            for (int j = 0; j < 2; j++)
            {
                var fut = new Future<bool>();
                fut.AddDoneCallback(_ => cvar.Value = "something else");   // must not pollute main's context
                cvar.Value = $"yes{j}";
                loop.CallSoon(() => fut.SetResult(true));
                await fut;
                Assert.Equal($"yes{j}", cvar.Value);

                for (int i = 0; i < 3; i++)
                {
                    cvar.Value = $"yes{i}-{j}";
                    await Aio.Sleep(0.001);
                    Assert.Equal($"yes{i}-{j}", cvar.Value);
                }
            }
        }, Loops.Virtual());
        Assert.Null(cvar.Value);
    }

    // CPython: test_tasks.py BaseTaskTests.test_context_3
    [Fact]
    public void AsyncLocal_HundredTasksEachChangingIt_EveryTaskSeesOnlyItsOwnValues()
    {
        var cvar = new AsyncLocal<int>();
        var random = new Random(3);
        int mismatches = 0, checks = 0;
        Aio.Run(async () =>
        {
            async Coroutine Sub(int num)
            {
                for (int i = 0; i < 10; i++)
                {
                    cvar.Value = num + i;
                    await Aio.Sleep(0.001 + (random.NextDouble() * 0.049));
                    checks++;
                    if (cvar.Value != num + i)
                    {
                        mismatches++;
                    }
                }
            }

            cvar.Value = -1;
            var tasks = new List<AioTask>();
            for (int i = 0; i < 100; i++)
            {
                tasks.Add(Aio.CreateTask(Sub(random.Next(0, 11))));
            }

            foreach (AioTask t in tasks)
            {
                await t;
            }

            Assert.Equal(-1, cvar.Value);
        }, Loops.Virtual());
        Assert.Equal(1000, checks);
        Assert.Equal(0, mismatches);
        Assert.Equal(0, cvar.Value);
    }

    // CPython: none; AsyncLocal as contextvars, plain .NET async code on the loop (DESIGN.md decisions 2-3)
    [Fact]
    public void AsyncLocal_NeverLeaksBetweenInterleavedTasksOrIntoCallbacks()
    {
        var local = new AsyncLocal<string?>();
        var seen = new List<string>();
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            async Coroutine Worker(string name)
            {
                for (int i = 0; i < 3; i++)
                {
                    seen.Add($"{name} sees {local.Value ?? "null"}");
                    local.Value = $"{name}{i}";
                    loop.CallSoon(() => seen.Add($"cb of {name} sees {local.Value}"));
                    await Aio.Sleep(0);
                }
            }

            AioTask a = Aio.CreateTask(Worker("a"));
            AioTask b = Aio.CreateTask(Worker("b"));
            await a;
            await b;
            Assert.Null(local.Value);
        }, Loops.Virtual());
        Assert.Equal(
            new[]
            {
                "a sees null", "b sees null",
                "cb of a sees a0", "a sees a0", "cb of b sees b0", "b sees b0",
                "cb of a sees a1", "a sees a1", "cb of b sees b1", "b sees b1",
                "cb of a sees a2", "cb of b sees b2",
            },
            seen);
    }

    // CPython: none; AsyncLocal as contextvars, plain .NET async code on the loop (DESIGN.md decisions 2-3)
    [Fact]
    public void CallSoon_Callback_RunsInTheContextCapturedAtCallSoon()
    {
        var local = new AsyncLocal<string?>();
        string? inCallback = null;
        Aio.Run(async () =>
        {
            local.Value = "at CallSoon";
            Aio.GetRunningLoop().CallSoon(() => inCallback = local.Value);
            local.Value = "changed after";
            await Aio.Sleep(0);
        }, Loops.Virtual());
        Assert.Equal("at CallSoon", inCallback);
    }

    // CPython: none; AsyncLocal as contextvars, plain .NET async code on the loop (DESIGN.md decisions 2-3)
    [Fact]
    public void AsyncLocal_SetBeforeAioRun_IsSeenByMain_AndMainsChangesDoNotLeakOut()
    {
        var local = new AsyncLocal<string?> { Value = "outer" };
        string? seenByMain = null;
        Aio.Run(async () =>
        {
            seenByMain = local.Value;
            local.Value = "inner";
            await Aio.Sleep(1);
            Assert.Equal("inner", local.Value);
        }, Loops.Virtual());
        Assert.Equal("outer", seenByMain);
        Assert.Equal("outer", local.Value);
    }

    // ------------------------------------------------------------------ plain .NET async code inside coroutines

    // CPython: none; AsyncLocal as contextvars, plain .NET async code on the loop (DESIGN.md decisions 2-3)
    [Fact]
    public void ForeignAwaits_InACoroutine_ResumeOnTheLoopThreadInTheSameTaskAndContext()
    {
        var local = new AsyncLocal<string?>();
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            AioTask me = Aio.CurrentTask!;
            local.Value = "mine";
            var where = new List<string>();
            void Check(string what)
            {
                bool ok = Environment.CurrentManagedThreadId == loopThread
                    && ReferenceEquals(Aio.CurrentTask, me)
                    && local.Value == "mine";
                where.Add(ok ? what : what + ": WRONG");
            }

            await Task.Yield();
            Check("Task.Yield");
            int worker = await Task.Run(() => Environment.CurrentManagedThreadId).ConfigureAwait(false);
            Check("ConfigureAwait(false)");
            Assert.NotEqual(loopThread, worker);
            await Task.Run(() => { });
            Check("Task.Run");
            await Task.Delay(TimeSpan.FromSeconds(3), Aio.GetRunningLoop().Clock);
            Check("Task.Delay on the loop clock");

            async Task Helper()
            {
                await Task.Yield();
                await Task.Run(() => { }).ConfigureAwait(true);
            }

            await Helper();
            Check("async Task helper");
            Assert.Equal(
                new[] { "Task.Yield", "ConfigureAwait(false)", "Task.Run", "Task.Delay on the loop clock", "async Task helper" },
                where);
            Assert.Equal(3.0, Aio.GetRunningLoop().Time());
        }, Loops.Virtual()));
    }

    // CPython: none; AsyncLocal as contextvars, plain .NET async code on the loop (DESIGN.md decisions 2-3)
    [Fact]
    public void PlainAsyncTaskHelper_ResumesOnTheLoopThread()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            var threads = new List<int>();
            async Task Helper()
            {
                await Task.Yield();
                threads.Add(Environment.CurrentManagedThreadId);
                await Task.Run(() => { });
                threads.Add(Environment.CurrentManagedThreadId);
                await Aio.Sleep(1);
                threads.Add(Environment.CurrentManagedThreadId);
            }

            await Helper();
            Assert.Equal(new[] { loopThread, loopThread, loopThread }, threads);
        }, Loops.Virtual()));
    }

    // Ours, a deliberate difference: a plain `async Task` helper called from a coroutine is foreign code. Its first
    // step runs inside the coroutine's step (the task is current); its continuations run as plain loop callbacks, where
    // no task is current. Giving every coroutine task a synchronization context of its own would cost each sleeping
    // task 32 bytes. Tasks made from a Func<Task> do keep their identity (see the DelegateTask tests).
    [Fact]
    public void CurrentTask_InAPlainAsyncTaskHelper_IsTheTaskOnlyUntilItsFirstAwait()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            AioTask me = Aio.CurrentTask!;
            var seen = new List<AioTask?>();
            async Task Helper()
            {
                seen.Add(Aio.CurrentTask);   // still inside the coroutine's step
                await Task.Yield();
                seen.Add(Aio.CurrentTask);
                await Aio.Sleep(1);
                seen.Add(Aio.CurrentTask);
            }

            await Helper();
            Assert.Equal(3, seen.Count);
            Assert.Same(me, seen[0]);
            Assert.Null(seen[1]);
            Assert.Null(seen[2]);
        }, Loops.Virtual()));
    }

    // CPython: none; AsyncLocal as contextvars, plain .NET async code on the loop (DESIGN.md decisions 2-3)
    [Fact]
    public void PlainAsyncTaskHelper_AwaitingAioSleepInVirtualTime_CompletesWithoutRealWaiting()
    {
        var clock = Stopwatch.StartNew();
        double end = 0;
        Loops.RunBounded(() => end = Aio.Run(async () =>
        {
            async Task Helper()
            {
                await Aio.Sleep(3600);
                await Aio.Sleep(TimeSpan.FromHours(1));
                await Task.Delay(TimeSpan.FromHours(1), Aio.GetRunningLoop().Clock);
            }

            await Helper();
            return Aio.GetRunningLoop().Time();
        }, Loops.Virtual()));
        Assert.Equal(3 * 3600.0, end);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(15), $"took {clock.Elapsed} of real time");
    }

    // CPython: none; AsyncLocal as contextvars, plain .NET async code on the loop (DESIGN.md decisions 2-3)
    [Fact]
    public void PlainAsyncTaskHelper_AioSleepZero_YieldsAfterCallbacksAlreadyQueued()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            async Task Helper()
            {
                Aio.GetRunningLoop().CallSoon(() => log.Add("callback"));
                await Aio.Sleep(0);
                log.Add("helper resumed");
            }

            await Helper();
        }, Loops.Virtual());
        Assert.Equal(new[] { "callback", "helper resumed" }, log);
    }
}
