using static Asyncio.Tests.Compose.Kit;

namespace Asyncio.Tests.Compose;

/// <summary>
/// Ports of CPython's <c>test_taskgroups.py</c> (<c>BaseTestTaskGroup</c>), each run with lazy and with eager tasks as
/// CPython runs it (<c>TestTaskGroup</c> and <c>TestEagerTaskTaskGroup</c>): the <c>eager</c> parameter.
/// <c>async with TaskGroup() as g:</c> becomes <c>await TaskGroup.RunAsync(async g =&gt; ...)</c>; ExceptionGroup is
/// <see cref="TaskGroupException"/>; ZeroDivisionError → DivideByZeroException, ValueError → ArgumentException,
/// RuntimeError → InvalidOperationException.
/// </summary>
public sealed class TaskGroupTests
{
    private static HashSet<Type> ErrorTypes(AggregateException eg) => eg.InnerExceptions.Select(e => e.GetType()).ToHashSet();

    private static async Coroutine<int> After(double d, int v)
    {
        await Aio.Sleep(d);
        return v;
    }

    private static async Coroutine CrashAfter(double t)
    {
        await Aio.Sleep(t);
        throw new ArgumentException(t.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    private static async Coroutine DivideByZeroAfter(double t)
    {
        await Aio.Sleep(t);
        throw new DivideByZeroException();
    }

    /// <summary>Sleeps 10 s, then raises DivideByZero from its finally block (so also when cancelled).</summary>
    private static async Coroutine CrashInFinally()
    {
        try
        {
            await Aio.Sleep(10);
        }
        finally
        {
            throw new DivideByZeroException();
        }
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_01
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_TwoTasks_BothResultsAvailableAfterTheGroup(bool eager)
    {
        Run(
            async loop =>
            {
                AioTask<int>? t1 = null, t2 = null;
                await TaskGroup.RunAsync(async g =>
                {
                    t1 = g.CreateTask(After(0.1, 42));
                    t2 = g.CreateTask(After(0.2, 11));
                });
                Assert.Equal(42, t1!.Result);
                Assert.Equal(11, t2!.Result);
                Assert.Equal(0.2, loop.Time(), 9);
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_02
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_TaskCreatedAfterAnAwaitInTheBody_Awaited(bool eager)
    {
        Run(
            async loop =>
            {
                AioTask<int>? t1 = null, t2 = null;
                await TaskGroup.RunAsync(async g =>
                {
                    t1 = g.CreateTask(After(0.1, 42));
                    await Aio.Sleep(0.15);
                    t2 = g.CreateTask(After(0.2, 11));
                });
                Assert.Equal(42, t1!.Result);
                Assert.Equal(11, t2!.Result);
                Assert.Equal(0.35, loop.Time(), 9);
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_03 (cancelling a child explicitly is no error)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildCancelledExplicitly_GroupGoesOn(bool eager)
    {
        Run(
            async loop =>
            {
                AioTask<int>? t1 = null, t2 = null;
                await TaskGroup.RunAsync(async g =>
                {
                    t1 = g.CreateTask(After(1, 42));
                    await Aio.Sleep(0.15);
                    t1.Cancel();
                    t2 = g.CreateTask(After(0.2, 11));
                });
                Assert.True(t1!.IsCancelled);
                Assert.Equal(11, t2!.Result);
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_04
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildFails_SiblingCancelledAndErrorRaisedInAGroup(bool eager)
    {
        Run(
            async loop =>
            {
                int num = 0;
                bool t2Cancel = false;
                AioTask? t2 = null;
                var eg = await Raises<TaskGroupException>(async () => await Aio.CreateTask(Runner()));
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes(eg));
                Assert.Equal(0, num);
                Assert.True(t2Cancel);
                Assert.True(t2!.IsCancelled);

                async Coroutine Foo2()
                {
                    try
                    {
                        await Aio.Sleep(1);
                    }
                    catch (CancelledError)
                    {
                        t2Cancel = true;
                        throw;
                    }

                    num += 1;
                }

                async Coroutine Runner()
                {
                    await TaskGroup.RunAsync(async g =>
                    {
                        _ = g.CreateTask(DivideByZeroAfter(0.1));
                        t2 = g.CreateTask(Foo2());
                    });
                    num += 10;
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_cancel_children_on_child_error (the other children and the
    // body are cancelled; the errors are gathered)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildrenFail_OtherChildrenAndBodyCancelled(bool eager)
    {
        Run(
            async loop =>
            {
                int num = 0;
                bool t2Cancel = false, runnerCancel = false;
                var eg = await Raises<TaskGroupException>(async () => await Aio.CreateTask(Runner()));
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes(eg));
                Assert.Equal(0, num);
                Assert.True(t2Cancel);
                Assert.True(runnerCancel);

                async Coroutine Foo2()
                {
                    try
                    {
                        await Aio.Sleep(5);
                    }
                    catch (CancelledError)
                    {
                        t2Cancel = true;
                        throw;
                    }

                    num += 1;
                }

                async Coroutine Runner()
                {
                    await TaskGroup.RunAsync(async g =>
                    {
                        _ = g.CreateTask(DivideByZeroAfter(0.1));
                        _ = g.CreateTask(DivideByZeroAfter(0.1));
                        _ = g.CreateTask(DivideByZeroAfter(0.1));
                        _ = g.CreateTask(Foo2());
                        try
                        {
                            await Aio.Sleep(10);
                        }
                        catch (CancelledError)
                        {
                            runnerCancel = true;
                            throw;
                        }
                    });
                    num += 10;
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_cancellation
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ParentCancelledFromOutside_ChildrenCancelledAndCancelledErrorPropagates(bool eager)
    {
        Run(
            async loop =>
            {
                int num = 0;
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                await Raises<CancelledError>(async () => await r);
                Assert.True(r.IsCancelled);
                Assert.Equal(5, num);

                async Coroutine Foo()
                {
                    try
                    {
                        await Aio.Sleep(5);
                    }
                    catch (CancelledError)
                    {
                        num += 1;
                        throw;
                    }
                }

                async Coroutine Runner() => await TaskGroup.RunAsync(async g =>
                {
                    for (int i = 0; i < 5; i++)
                    {
                        _ = g.CreateTask(Foo());
                    }
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_07
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ParentCancelledFromOutsideDuringTheBody_BodyAndChildrenCancelled(bool eager)
    {
        Run(
            async loop =>
            {
                int num = 0;
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                await Raises<CancelledError>(async () => await r);
                Assert.Equal(15, num);

                async Coroutine Foo()
                {
                    try
                    {
                        await Aio.Sleep(5);
                    }
                    catch (CancelledError)
                    {
                        num += 1;
                        throw;
                    }
                }

                async Coroutine Runner() => await TaskGroup.RunAsync(async g =>
                {
                    for (int i = 0; i < 5; i++)
                    {
                        _ = g.CreateTask(Foo());
                    }

                    try
                    {
                        await Aio.Sleep(10);
                    }
                    catch (CancelledError)
                    {
                        num += 10;
                        throw;
                    }
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_08 (errors win over the outside cancellation)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ParentCancelledAndChildrenFailInTheirCleanup_ErrorsWin(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes(eg));
                Assert.Equal(5, eg.InnerExceptions.Count);
                Assert.False(r.IsCancelled);

                static async Coroutine Runner() => await TaskGroup.RunAsync(async g =>
                {
                    for (int i = 0; i < 5; i++)
                    {
                        _ = g.CreateTask(CrashInFinally());
                    }

                    await Aio.Sleep(10);
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_09 / test_taskgroup_10 (the body fails, with or
    // without an await first)
    [Theory]
    [InlineData(false, true)]
    [InlineData(true, true)]
    [InlineData(false, false)]
    [InlineData(true, false)]
    public void RunAsync_BodyFails_ChildrenCancelledAndErrorRaisedInAGroup(bool eager, bool awaitFirst)
    {
        Run(
            async loop =>
            {
                AioTask<int>? t1 = null, t2 = null;
                var eg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async g =>
                {
                    t1 = g.CreateTask(After(1, 42));
                    t2 = g.CreateTask(After(2, 11));
                    if (awaitFirst)
                    {
                        await Aio.Sleep(0.1);
                    }

                    throw new DivideByZeroException();
                }));
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes(eg));
                Assert.True(t1!.IsCancelled);
                Assert.True(t2!.IsCancelled);
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_11 (nested groups: the inner group's errors come
    // out as a group inside the outer one)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_NestedAndParentCancelledWhileInnerChildrenFail_GroupInAGroup(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(TaskGroupException)], ErrorTypes(eg));
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes((TaskGroupException)eg.InnerExceptions[0]));

                static async Coroutine Runner() => await TaskGroup.RunAsync(async g1 =>
                    await TaskGroup.RunAsync(async g2 =>
                    {
                        for (int i = 0; i < 5; i++)
                        {
                            _ = g2.CreateTask(CrashInFinally());
                        }

                        await Aio.Sleep(10);
                    }));
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_12
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_NestedWithOuterChildAndParentCancelled_GroupInAGroup(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(TaskGroupException)], ErrorTypes(eg));
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes((TaskGroupException)eg.InnerExceptions[0]));

                static async Coroutine Runner() => await TaskGroup.RunAsync(async g1 =>
                {
                    _ = g1.CreateTask(Sleep(10));
                    await TaskGroup.RunAsync(async g2 =>
                    {
                        for (int i = 0; i < 5; i++)
                        {
                            _ = g2.CreateTask(CrashInFinally());
                        }

                        await Aio.Sleep(10);
                    });
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_13 (the outer child fails first: the inner group is
    // cancelled, only the outer error remains)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_OuterChildFailsFirst_InnerGroupCancelledOuterErrorOnly(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(ArgumentException)], ErrorTypes(eg));

                static async Coroutine Runner() => await TaskGroup.RunAsync(async g1 =>
                {
                    _ = g1.CreateTask(CrashAfter(0.1));
                    await TaskGroup.RunAsync(async g2 =>
                    {
                        _ = g2.CreateTask(CrashAfter(10));
                    });
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_14 (the inner child fails first: the inner group's
    // error is the body's error of the outer group)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_InnerChildFailsFirst_GroupInAGroup(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(TaskGroupException)], ErrorTypes(eg));
                Assert.Equal([typeof(ArgumentException)], ErrorTypes((TaskGroupException)eg.InnerExceptions[0]));

                static async Coroutine Runner() => await TaskGroup.RunAsync(async g1 =>
                {
                    _ = g1.CreateTask(CrashAfter(10));
                    await TaskGroup.RunAsync(async g2 =>
                    {
                        _ = g2.CreateTask(CrashAfter(0.1));
                    });
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_15 (a child fails while the cancelled body cleans up)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildFailsWhileCancelledBodyCleansUp_ErrorsWin(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes(eg));

                static async Coroutine Runner() => await TaskGroup.RunAsync(async g1 =>
                {
                    _ = g1.CreateTask(DivideByZeroAfter(0.3));
                    try
                    {
                        await Aio.Sleep(10);
                    }
                    catch (CancelledError)
                    {
                        await Aio.Sleep(0.5);
                        throw;
                    }
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_16 (the same, through an intermediate task)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildFailsWhileCancelledBodyCleansUpInAnAwaitedTask_ErrorsWin(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes(eg));

                static async Coroutine NestedRunner() => await TaskGroup.RunAsync(async g1 =>
                {
                    _ = g1.CreateTask(DivideByZeroAfter(0.3));
                    try
                    {
                        await Aio.Sleep(10);
                    }
                    catch (CancelledError)
                    {
                        await Aio.Sleep(0.5);
                        throw;
                    }
                });

                static async Coroutine Runner()
                {
                    var t = Aio.CreateTask(NestedRunner());
                    await t;
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_17
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_EmptyGroupParentCancelled_CancelledErrorPropagates(bool eager)
    {
        Run(
            async loop =>
            {
                int num = 0;
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                await Raises<CancelledError>(async () => await r);
                Assert.Equal(10, num);

                async Coroutine Runner() => await TaskGroup.RunAsync(async _ =>
                {
                    try
                    {
                        await Aio.Sleep(10);
                    }
                    catch (CancelledError)
                    {
                        num += 10;
                        throw;
                    }
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_18 (the body turns the cancellation into an error)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_BodyTurnsCancellationIntoAnError_ErrorRaisedInAGroup(bool eager)
    {
        Run(
            async loop =>
            {
                int num = 0;
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                Assert.False(r.IsDone);
                r.Cancel();
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(MyExc)], ErrorTypes(eg));
                Assert.Equal(10, num);

                async Coroutine Runner() => await TaskGroup.RunAsync(async _ =>
                {
                    try
                    {
                        await Aio.Sleep(10);
                    }
                    catch (CancelledError)
                    {
                        num += 10;
                        throw new MyExc();   // this isn't a good idea, but it has to be supported
                    }
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_19 (the child's error and the body's: both, the
    // body's last — taskgroups.py appends the body's exception after the children's)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildFailsAndCancelledBodyRaises_BothErrorsBodyLast(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                var eg = await Raises<TaskGroupException>(async () => await r);
                Assert.Equal([typeof(MyExc), typeof(DivideByZeroException)], ErrorTypes(eg));
                Assert.IsType<DivideByZeroException>(eg.InnerExceptions[0]);
                Assert.IsType<MyExc>(eg.InnerExceptions[1]);
                Assert.Equal("unhandled errors in a TaskGroup", eg.Message.Split(" (")[0]);

                static async Coroutine Nested()
                {
                    try
                    {
                        await Aio.Sleep(10);
                    }
                    finally
                    {
                        throw new MyExc();
                    }
                }

                static async Coroutine Runner() => await TaskGroup.RunAsync(async g =>
                {
                    _ = g.CreateTask(DivideByZeroAfter(0.1));
                    await Nested();
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_22
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ParentCancelledWhileWaitingForChildren_CancelledErrorPropagates(bool eager)
    {
        Run(
            async loop =>
            {
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.05);
                r.Cancel();
                await Raises<CancelledError>(async () => await r);

                static async Coroutine Runner() => await TaskGroup.RunAsync(async g =>
                {
                    _ = g.CreateTask(After(1, 42));
                    _ = g.CreateTask(After(2, 11));
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_23 (len(g._tasks) → PendingCount)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void PendingCount_AsTasksFinish_TheyLeaveTheGroup(bool eager)
    {
        Run(
            async loop =>
            {
                await TaskGroup.RunAsync(async g =>
                {
                    for (int count = 0; count < 10; count++)
                    {
                        await Aio.Sleep(0.1);
                        _ = g.CreateTask(Sleep(0.3));
                        if (count == 5)
                        {
                            Assert.True(g.PendingCount < 5);
                        }
                    }

                    await Aio.Sleep(1.35);
                    Assert.Equal(0, g.PendingCount);
                });
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_24 (a child creates more tasks while the group waits)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CreateTask_FromAChildWhileTheGroupIsExiting_Awaited(bool eager)
    {
        Run(
            async loop =>
            {
                AioTask? late = null;
                await TaskGroup.RunAsync(async g => _ = g.CreateTask(Root(g)));
                Assert.True(late!.IsCompletedSuccessfully);
                Assert.Equal(0.3, loop.Time(), 9);

                async Coroutine Root(TaskGroup g)
                {
                    await Aio.Sleep(0.1);
                    _ = g.CreateTask(Sleep(0.1));
                    late = g.CreateTask(Sleep(0.2));
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_25
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_HydraAndHercules_ErrorStopsTheGrowingGroup(bool eager)
    {
        Run(
            async loop =>
            {
                int nhydras = 0;
                var eg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async g =>
                {
                    _ = g.CreateTask(Hydra(g));
                    _ = g.CreateTask(Hercules());
                }));
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes(eg));
                Assert.True(nhydras >= 10);

                async Coroutine Hydra(TaskGroup g)
                {
                    nhydras++;
                    await Aio.Sleep(0.01);
                    _ = g.CreateTask(Hydra(g));
                    _ = g.CreateTask(Hydra(g));
                }

                async Coroutine Hercules()
                {
                    while (nhydras < 10)
                    {
                        await Aio.Sleep(0.015);
                    }

                    throw new DivideByZeroException();
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_task_name and test_name
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CreateTask_WithName_TaskHasIt(bool eager)
    {
        Run(
            async loop =>
            {
                string? name = null;
                await TaskGroup.RunAsync(async g =>
                {
                    var t = g.CreateTask(AsyncFn(), name: "yolo");
                    Assert.Equal("yolo", t.Name);
                });
                Assert.Equal("yolo", name);

                async Coroutine AsyncFn()
                {
                    name = Aio.CurrentTask!.Name;
                    await Aio.Sleep(0);
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_no_create_task_after_failure (asyncio:
    // RuntimeError "is shutting down")
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CreateTask_AfterAFailure_ThrowsShuttingDown(bool eager)
    {
        Run(
            async loop =>
            {
                InvalidOperationException? refused = null;
                var eg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async g =>
                {
                    _ = g.CreateTask(Coro1());
                    _ = g.CreateTask(Coro2(g));
                }));
                Assert.Equal([typeof(DivideByZeroException)], ErrorTypes(eg));
                Assert.NotNull(refused);
                Assert.Contains("shutting down", refused!.Message, StringComparison.Ordinal);

                static async Coroutine Coro1()
                {
                    await Aio.Sleep(0.001);
                    throw new DivideByZeroException();
                }

                async Coroutine Coro2(TaskGroup g)
                {
                    try
                    {
                        await Aio.Sleep(1);
                    }
                    catch (CancelledError)
                    {
                        refused = Assert.Throws<InvalidOperationException>(() => g.CreateTask(Coro1()));
                    }
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_context_manager_exit_raises (gh-95289: a context
    // manager inside the group raising on exit; here a finally block)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_BodyCleanupRaisesAfterAChildFailed_BothErrorsAndCountRestored(bool eager)
    {
        Run(
            async loop =>
            {
                await Aio.CreateTask(Main());

                static async Coroutine RaiseExc() => throw new MyExc("child");

                static async Coroutine Main()
                {
                    var task = Aio.CurrentTask!;
                    var err = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async tg =>
                    {
                        try
                        {
                            _ = tg.CreateTask(RaiseExc());
                            await Aio.Sleep(1);
                        }
                        finally
                        {
                            throw new MyExc("database");
                        }
                    }));
                    Assert.Equal(0, task.Cancelling());
                    Assert.Equal(2, err.InnerExceptions.Count);
                    Assert.All(err.InnerExceptions, e => Assert.IsType<MyExc>(e));
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_taskgroup_finished / test_coro_closed_when_tg_closed
    // (asyncio: RuntimeError "is finished"; the coroutine-closing part has no counterpart)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CreateTask_AfterTheGroupFinished_ThrowsFinished(bool eager)
    {
        Run(
            async loop =>
            {
                TaskGroup? tg = null;
                await TaskGroup.RunAsync(async g => tg = g);
                LoopRun.Throws<InvalidOperationException>(() => tg!.CreateTask(Sleep(0)), "is finished");
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_cancelling_level_preserved
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildFails_ParentCancellingCountBackToZero(bool eager)
    {
        Run(
            async loop =>
            {
                await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async tg =>
                    _ = tg.CreateTask(RaiseAfter(0.0, () => new InvalidOperationException()))));
                Assert.Equal(0, Aio.CurrentTask!.Cancelling());
            },
            eager);
    }

    private static async Coroutine RaiseAfter(double t, Func<Exception> e)
    {
        await Aio.Sleep(t);
        throw e();
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_nested_groups_both_cancelled (3.13: the count stays stable)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_NestedGroupsBothFail_CancellingCountsStayConsistent(bool eager)
    {
        Run(
            async loop =>
            {
                int? inside = null;
                var outerEg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async outerTg =>
                {
                    var innerEg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async innerTg =>
                    {
                        _ = innerTg.CreateTask(RaiseAfter(0, () => new InvalidOperationException()));
                        _ = outerTg.CreateTask(RaiseAfter(0, () => new ArgumentException()));
                    }));
                    Assert.Equal([typeof(InvalidOperationException)], ErrorTypes(innerEg));
                    inside = Aio.CurrentTask!.Cancelling();
                }));
                Assert.Equal([typeof(ArgumentException)], ErrorTypes(outerEg));
                Assert.Equal(1, inside);
                Assert.Equal(0, Aio.CurrentTask!.Cancelling());
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_error_and_cancel (3.13: an error while the parent is also
    // cancelled from outside keeps the count and cancels the next await)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildFailsWhileParentIsCancelledFromOutside_CountKeptAndNextAwaitCancelled(bool eager)
    {
        Run(
            async loop =>
            {
                var ev = new AsyncEvent();
                bool sleepInGroupEnded = false, sleepAfterGroupEnded = false;
                int? inExcept = null, afterGroup = null;
                var t = Aio.CreateTask(Inner());
                await ev.WaitAsync();
                Assert.Equal(0, t.Cancelling());
                t.Cancel();
                Assert.Equal(1, t.Cancelling());
                await Raises<CancelledError>(async () => await t);
                Assert.True(t.IsCancelled);
                Assert.Equal(1, inExcept);
                Assert.Equal(1, afterGroup);
                Assert.False(sleepInGroupEnded, "Sleep in group should have been cancelled");
                Assert.False(sleepAfterGroupEnded, "Sleep after group should have been cancelled");

                async Coroutine RaiseError()
                {
                    ev.Set();
                    await Aio.Sleep(0);
                    throw new InvalidOperationException();
                }

                async Coroutine Inner()
                {
                    try
                    {
                        await TaskGroup.RunAsync(async tg =>
                        {
                            _ = tg.CreateTask(RaiseError());
                            await Aio.Sleep(1);
                            sleepInGroupEnded = true;
                        });
                    }
                    catch (TaskGroupException eg) when (eg.InnerExceptions.All(e => e is InvalidOperationException))
                    {
                        inExcept = Aio.CurrentTask!.Cancelling();
                    }

                    afterGroup = Aio.CurrentTask!.Cancelling();
                    await Aio.Sleep(1);
                    sleepAfterGroupEnded = true;
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_cancels_task_if_created_during_creation (gh-128550: a task
    // that fails at once while a sibling is being created still cancels that sibling)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void CreateTask_ChildCreatedByASiblingFailsAtOnce_SiblingIsCancelled(bool eager)
    {
        Run(
            async loop =>
            {
                bool ran = false;
                var eg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async tg =>
                {
                    _ = tg.CreateTask(SecondTask(tg));
                }));
                Assert.True(ran);
                Assert.Equal("third task failed", Assert.IsType<MyExc>(Assert.Single(eg.InnerExceptions)).Message);

                static async Coroutine ThirdTask() => throw new MyExc("third task failed");

                async Coroutine SecondTask(TaskGroup tg)
                {
                    _ = tg.CreateTask(ThirdTask());
                    await Raises<CancelledError>(async () =>
                    {
                        await Aio.Sleep(0);   // eager tasks cancel here
                        await Aio.Sleep(0);   // lazy tasks cancel here
                    });
                    ran = true;
                }
            },
            eager);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_cancellation_does_not_leak_out_of_tg
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildFails_NoCancellationLeaksOutOfTheGroup(bool eager)
    {
        Run(
            async loop =>
            {
                var eg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async tg =>
                    _ = tg.CreateTask(ThrowError())));
                Assert.IsType<MyExc>(Assert.Single(eg.InnerExceptions));
                Assert.Equal(0, Aio.CurrentTask!.Cancelling());
                await Aio.Sleep(0);   // if the cancellation leaked, it would happen here

                static async Coroutine ThrowError() => throw new MyExc();
            },
            eager);
    }

    // Ours, from taskgroups.py create_task (3.13, gh-128550/gh-128588: "Always schedule the done callback even if the
    // task is already done"): a child that fails during its eager start does not abort the group inside CreateTask;
    // the body can still create tasks until its next await, and those are then cancelled.
    [Fact]
    public void CreateTask_EagerChildFailsAtOnce_BodyCanStillCreateTasksUntilItsNextAwait()
    {
        Run(
            async loop =>
            {
                AioTask? second = null;
                Exception? refused = null;
                var eg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async g =>
                {
                    var first = g.CreateTask(ThrowError());
                    Assert.True(first.IsDone);
                    try
                    {
                        second = g.CreateTask(Sleep(1));
                    }
                    catch (InvalidOperationException e)
                    {
                        refused = e;
                    }

                    await Aio.Sleep(1);
                }));
                Assert.Null(refused);
                Assert.IsType<MyExc>(Assert.Single(eg.InnerExceptions));
                Assert.True(second!.IsCancelled);
                Assert.Equal(0.0, loop.Time());

                static async Coroutine ThrowError() => throw new MyExc();
            },
            eager: true);
    }

    // CPython: test_taskgroups.py BaseTestTaskGroup.test_exception_refcycles_propagate_cancellation_error (its
    // behaviour, not the reference count: a group inside an expired timeout ends in TimeoutError caused by the
    // CancelledError)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_InsideAnExpiredTimeout_TimeoutCausedByTheCancellation(bool eager)
    {
        Run(
            async loop =>
            {
                var e = await Raises<TimeoutException>(async () => await Aio.Timeout(-1, async scope =>
                    await TaskGroup.RunAsync(async tg => await Aio.Sleep(0))));
                Assert.IsType<CancelledError>(e.InnerException);
                Assert.Equal(0, Aio.CurrentTask!.Cancelling());
            },
            eager);
    }

    // Ours (taskgroups.py _aexit: the while loop over _on_completed_fut survives repeated cancellation): the parent
    // cancelled twice while the children clean up — the group still waits for all of them, then propagates the
    // cancellation; the count is the outside's (2).
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ParentCancelledTwiceWhileChildrenCleanUp_WaitsForThemThenPropagates(bool eager)
    {
        Run(
            async loop =>
            {
                int cleaned = 0;
                var r = Aio.CreateTask(Runner());
                await Aio.Sleep(0.1);
                r.Cancel();
                await Aio.Sleep(0.1);
                r.Cancel();
                await Raises<CancelledError>(async () => await r);
                Assert.Equal(3, cleaned);
                Assert.Equal(1.1, loop.Time(), 9);
                Assert.Equal(2, r.Cancelling());

                async Coroutine Child()
                {
                    try
                    {
                        await Aio.Sleep(10);
                    }
                    catch (CancelledError)
                    {
                        await Aio.Sleep(1);
                        cleaned++;
                        throw;
                    }
                }

                async Coroutine Runner() => await TaskGroup.RunAsync(async g =>
                {
                    for (int i = 0; i < 3; i++)
                    {
                        _ = g.CreateTask(Child());
                    }
                });
            },
            eager);
    }

    // Ours (taskgroups.py _on_task_done: a cancelled child is no error): a child that swallows the group's
    // cancellation and returns is no error either; only the real failure is raised.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_ChildSwallowsTheGroupsCancellation_OnlyTheFailureIsRaised(bool eager)
    {
        Run(
            async loop =>
            {
                AioTask<string>? stubborn = null;
                var eg = await Raises<TaskGroupException>(async () => await TaskGroup.RunAsync(async g =>
                {
                    stubborn = g.CreateTask(Stubborn());
                    _ = g.CreateTask(DivideByZeroAfter(1));
                }));
                Assert.IsType<DivideByZeroException>(Assert.Single(eg.InnerExceptions));
                Assert.Equal("swallowed", stubborn!.Result);
                Assert.Equal(1.5, loop.Time(), 9);

                static async Coroutine<string> Stubborn()
                {
                    try
                    {
                        await Aio.Sleep(10);
                        return "slept";
                    }
                    catch (CancelledError)
                    {
                        await Aio.Sleep(0.5);
                        return "swallowed";
                    }
                }
            },
            eager);
    }

    // Ours: RunAsync's body may return a value, returned once every task is done.
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void RunAsync_BodyReturnsAValue_ReturnedAfterTheTasks(bool eager)
    {
        int r = Run(
            async loop =>
            {
                AioTask<int>? t = null;
                int v = await TaskGroup.RunAsync(async g =>
                {
                    t = g.CreateTask(After(2, 40));
                    return 2;
                });
                Assert.True(t!.IsDone);
                return v + t.Result;
            },
            eager);
        Assert.Equal(42, r);
    }

    // Ours (bad input)
    [Fact]
    public void RunAsync_NullBody_ThrowsArgumentNull()
    {
        Run(async loop =>
        {
            await Raises<ArgumentNullException>(async () => await TaskGroup.RunAsync(null!));
        });
    }
}
