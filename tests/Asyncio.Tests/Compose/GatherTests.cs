using static Asyncio.Tests.Compose.Kit;
using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Compose;

/// <summary>
/// Ports of CPython's gather tests: <c>test_tasks.py</c> <c>GatherTestsBase</c>, <c>FutureGatherTests</c>,
/// <c>CoroutineGatherTests</c> and the gather parts of <c>BaseTaskTests</c> (the Future/Coroutine variants of the base
/// class become a <c>coroutines</c> parameter), plus <c>test_eager_task_factory.py</c>'s recursive gather.
/// </summary>
public sealed class GatherTests
{
    /// <summary>The children as given (futures) or wrapped in coroutines (CoroutineGatherTests.wrap_futures).</summary>
    private static IAioAwaitable<int>[] Wrap(bool coroutines, params Future<int>[] futures) =>
        coroutines ? futures.Select(f => (IAioAwaitable<int>)Await(f)).ToArray() : futures;

    private static Future<int>[] Futures(EventLoop loop, int n) => Enumerable.Range(0, n).Select(_ => loop.CreateFuture<int>()).ToArray();

    // CPython: test_tasks.py GatherTestsBase.test_success / test_result_exception_success (_check_success), in
    // FutureGatherTests and CoroutineGatherTests
    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void Gather_ChildrenDoneOutOfOrder_ResultsInArgumentOrderOnceAllAreDone(bool coroutines, bool returnExceptions)
    {
        var reports = WithLoop(loop =>
        {
            var f = Futures(loop, 3);
            IAioAwaitable<int>[] children = Wrap(coroutines, f);
            AioFuture fut = returnExceptions
                ? InLoop<AioFuture>(loop, () => Aio.Gather(children, returnExceptions: true))
                : InLoop<AioFuture>(loop, () => Aio.Gather(children));
            var calls = new List<AioFuture>();
            fut.AddDoneCallback(calls.Add);
            f[1].SetResult(1);
            f[0].SetResult(2);
            RunReady(loop);
            Assert.Empty(calls);
            Assert.False(fut.IsDone);
            f[2].SetResult(3);
            RunReady(loop);
            Assert.Same(fut, Assert.Single(calls));
            int[] results = returnExceptions
                ? ((GatheringFuture<Outcome<int>[]>)fut).Result.Select(o => o.Value).ToArray()
                : ((GatheringFuture<int[]>)fut).Result;
            Assert.Equal([2, 1, 3], results);
        });
        Assert.Empty(reports);
    }

    // CPython: test_tasks.py GatherTestsBase.test_one_exception
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gather_OneChildFails_FailsAtOnceWithThatExceptionAndIgnoresTheRest(bool coroutines)
    {
        var reports = WithLoop(loop =>
        {
            var f = Futures(loop, 5);
            var fut = InLoop(loop, () => Aio.Gather(Wrap(coroutines, f)));
            var calls = new List<AioFuture>();
            fut.AddDoneCallback(calls.Add);
            var exc = new DivideByZeroException();
            f[0].SetResult(1);
            f[1].SetException(exc);
            RunReady(loop);
            Assert.True(fut.IsDone);
            Assert.Same(fut, Assert.Single(calls));
            Assert.Same(exc, fut.Exception);

            // Does nothing (and the later failure is marked retrieved by gather: no report at loop close).
            f[2].SetResult(3);
            f[3].Cancel();
            f[4].SetException(new InvalidOperationException("later"));
            if (!coroutines)
            {
                _ = f[4].Exception;   // as the CPython test: e.exception()
            }

            RunReady(loop);
            Assert.Single(calls);
        });
        Assert.Empty(NeverRetrieved(reports));
    }

    // CPython: test_tasks.py GatherTestsBase.test_return_exceptions
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gather_ReturnExceptions_EveryOutcomeInItsSlot(bool coroutines)
    {
        var reports = WithLoop(loop =>
        {
            var f = Futures(loop, 4);
            var fut = InLoop(loop, () => Aio.Gather(Wrap(coroutines, f), returnExceptions: true));
            var calls = new List<AioFuture>();
            fut.AddDoneCallback(calls.Add);
            var exc = new DivideByZeroException();
            var exc2 = new InvalidOperationException("runtime");
            f[1].SetResult(1);
            f[2].SetException(exc);
            f[0].SetResult(3);
            RunReady(loop);
            Assert.False(fut.IsDone);
            f[3].SetException(exc2);
            RunReady(loop);
            Assert.True(fut.IsDone);
            Assert.Same(fut, Assert.Single(calls));
            Outcome<int>[] res = fut.Result;
            Assert.Equal(3, res[0].Value);
            Assert.Equal(1, res[1].Value);
            Assert.Same(exc, res[2].Exception);
            Assert.Same(exc2, res[3].Exception);
        });
        Assert.Empty(NeverRetrieved(reports));
    }

    // CPython: test_tasks.py FutureGatherTests.test_constructor_empty_sequence_without_loop and
    // CoroutineGatherTests.test_constructor_without_loop (asyncio: RuntimeError 'no current event loop')
    [Fact]
    public void Gather_NoRunningLoop_ThrowsNamingTheMissingLoop()
    {
        Throws<InvalidOperationException>(() => Aio.Gather(Array.Empty<IAioAwaitable<int>>()), "Aio.Gather", "running event loop");
        Throws<InvalidOperationException>(() => Aio.Gather(Return("abc"), Return("abc")), "Aio.Gather", "running event loop");
    }

    // CPython: test_tasks.py FutureGatherTests.test_constructor_empty_sequence_use_running_loop
    [Fact]
    public void Gather_NoChildren_DoneAtOnceWithEmptyResultOnTheRunningLoop()
    {
        Run(async loop =>
        {
            var fut = Aio.Gather(Array.Empty<IAioAwaitable<int>>());
            Assert.Same(loop, fut.Loop);
            Assert.True(fut.IsDone);
            Assert.Empty(fut.Result);
            Assert.Empty(await fut);
        });
    }

    // CPython: test_tasks.py FutureGatherTests.test_constructor_heterogenous_futures (asyncio: ValueError)
    [Fact]
    public void Gather_FutureOfAnotherLoop_ThrowsNamingTheOtherLoop()
    {
        using var other = new EventLoop(Options());
        var foreign = other.CreateFuture<int>();
        Run(async loop =>
        {
            var mine = loop.CreateFuture<int>();
            Throws<InvalidOperationException>(() => Aio.Gather(new[] { mine, foreign }), "another event loop");
        });
    }

    // CPython: test_tasks.py FutureGatherTests.test_one_cancellation
    [Fact]
    public void Gather_OneChildCancelled_FailsWithCancelledErrorButIsNotCancelled()
    {
        var reports = WithLoop(loop =>
        {
            var f = Futures(loop, 5);
            var fut = InLoop(loop, () => Aio.Gather(new[] { f[0], f[1], f[2], f[3], f[4] }));
            var calls = new List<AioFuture>();
            fut.AddDoneCallback(calls.Add);
            f[0].SetResult(1);
            f[1].Cancel("b cancelled");
            RunReady(loop);
            Assert.True(fut.IsDone);
            Assert.Same(fut, Assert.Single(calls));
            Assert.False(fut.IsCancelled);
            var e = Assert.IsType<CancelledError>(fut.Exception);
            Assert.Equal("b cancelled", e.CancelMessage);

            // Does nothing
            f[2].SetResult(3);
            f[3].Cancel();
            f[4].SetException(new InvalidOperationException("later"));
            _ = f[4].Exception;
            RunReady(loop);
        });
        Assert.Empty(NeverRetrieved(reports));
    }

    // CPython: test_tasks.py FutureGatherTests.test_result_exception_one_cancellation
    [Fact]
    public void Gather_ReturnExceptionsWithCancelledChildren_CancelledErrorInTheirSlots()
    {
        WithLoop(loop =>
        {
            var f = Futures(loop, 6);
            var fut = InLoop(loop, () => Aio.Gather(f, returnExceptions: true));
            var calls = new List<AioFuture>();
            fut.AddDoneCallback(calls.Add);
            f[0].SetResult(1);
            var zde = new DivideByZeroException();
            f[1].SetException(zde);
            f[2].Cancel();
            RunReady(loop);
            Assert.False(fut.IsDone);
            f[3].SetResult(3);
            f[4].Cancel();
            var rte = new InvalidOperationException("rte");
            f[5].SetException(rte);
            Outcome<int>[] res = loop.RunUntilComplete(Result(fut));
            Assert.Equal(1, res[0].Value);
            Assert.Same(zde, res[1].Exception);
            Assert.IsType<CancelledError>(res[2].Exception);
            Assert.True(res[2].IsCancelled);
            Assert.Equal(3, res[3].Value);
            Assert.IsType<CancelledError>(res[4].Exception);
            Assert.Same(rte, res[5].Exception);
            RunReady(loop);
            Assert.Same(fut, Assert.Single(calls));
        });
    }

    // CPython: test_tasks.py CoroutineGatherTests.test_constructor_use_running_loop
    [Fact]
    public void Gather_Coroutines_ScheduledOnTheRunningLoop()
    {
        WithLoop(loop =>
        {
            var fut = InLoop(loop, () => Aio.Gather(Return("abc"), Return("abc")));
            Assert.Same(loop, fut.Loop);
            Assert.All(fut.Children, c => Assert.Same(loop, c.Loop));
            Assert.Equal(("abc", "abc"), loop.RunUntilComplete(Result(fut)));
        });
    }

    // CPython: test_tasks.py CoroutineGatherTests.test_duplicate_coroutines
    [Fact]
    public void Gather_SameCoroutineTwice_RunsItOnceAndRepeatsItsResult()
    {
        string[] result = Run(async loop =>
        {
            var c = Return("abc");
            return await Aio.Gather(new[] { c, c, Return("def"), c });
        });
        Assert.Equal(["abc", "abc", "def", "abc"], result);
    }

    // Ours (as gather's arg_to_fut in tasks.py): a task given twice is waited on once, its result repeated.
    [Fact]
    public void Gather_SameTaskTwice_WaitedOnceAndResultRepeated()
    {
        Run(async loop =>
        {
            var t = Aio.CreateTask(Sleep(1, 7));
            var u = Aio.CreateTask(Sleep(2, 8));
            var g = Aio.Gather(new IAioAwaitable<int>[] { t, u, t });
            Assert.Equal(3, g.Children.Count);
            Assert.Same(t, g.Children[0]);
            Assert.Same(t, g.Children[2]);
            Assert.Equal(new[] { 7, 8, 7 }, await g);
            Assert.Equal(2.0, loop.Time());
        });
    }

    // CPython: test_tasks.py CoroutineGatherTests.test_cancellation_broadcast
    [Fact]
    public void Gather_CallerTaskCancelled_EveryChildCancelledAndGatherRefusesLaterCancel()
    {
        WithLoop(loop =>
        {
            int proof = 0;
            var waiter = loop.CreateFuture<int>();
            var child1 = loop.CreateTask(Inner());
            var child2 = loop.CreateTask(Inner());
            GatheringFuture<(int, int)>? gatherer = null;
            var f = loop.CreateTask(Outer());
            RunBriefly(loop);
            Assert.True(f.Cancel());
            Assert.Throws<CancelledError>(() => loop.RunUntilComplete(f));
            Assert.False(gatherer!.Cancel());
            Assert.True(waiter.IsCancelled);
            Assert.True(child1.IsCancelled);
            Assert.True(child2.IsCancelled);
            RunBriefly(loop);
            Assert.Equal(0, proof);

            async Coroutine<int> Inner()
            {
                await waiter;
                proof += 1;
                return 0;
            }

            async Coroutine Outer()
            {
                gatherer = Aio.Gather(child1, child2);
                await gatherer;
                proof += 100;
            }
        });
    }

    // CPython: test_tasks.py CoroutineGatherTests.test_exception_marking
    [Fact]
    public void Gather_ChildFailsAfterGatherFailed_ItsExceptionIsMarkedRetrieved()
    {
        var reports = WithLoop(loop =>
        {
            var a = loop.CreateFuture<int>();
            var b = loop.CreateFuture<int>();
            var f = loop.CreateTask(Outer());
            RunBriefly(loop);
            a.SetResult(0);
            RunBriefly(loop);
            b.SetResult(0);
            RunBriefly(loop);
            RunReady(loop);
            var e = Assert.IsType<InvalidOperationException>(f.Exception);
            Assert.Equal("should not be ignored", e.Message);

            async Coroutine<int> Inner(Future<int> fut)
            {
                await fut;
                throw new InvalidOperationException("should not be ignored");
            }

            async Coroutine Outer() => await Aio.Gather(Inner(a), Inner(b));
        });
        Assert.Empty(NeverRetrieved(reports));
    }

    // CPython: test_tasks.py CoroutineGatherTests.test_issue46672 (a bad argument after a coroutine: the error is the
    // argument's, and nothing is reported through the exception handler)
    [Fact]
    public void Gather_NullChildAfterACoroutine_ThrowsArgumentNullAndReportsNothing()
    {
        var reports = WithLoop(loop =>
        {
            loop.RunUntilComplete(Main());
            RunReady(loop);

            static async Coroutine Main()
            {
                Assert.Throws<ArgumentNullException>(() => Aio.Gather(new IAioAwaitable<string>[] { Return("abc"), null! }));
            }
        });
        Assert.Empty(reports);
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_gather_1 (Python issue #26923: gather drops cancellation)
    [Fact]
    public void GatheringFutureCancel_AfterEveryChildIsDone_ReturnsFalseAndGatherSucceeds()
    {
        WithLoop(loop =>
        {
            var fut = loop.CreateFuture<int>();
            var gather = InLoop(loop, () => Aio.Gather(new[] { Await(fut) }));
            bool? cancelResult = null;
            fut.AddDoneCallback(_ => cancelResult = gather.Cancel());
            fut.SetResult(42);   // the callback runs after fut is done, before gather's own callback
            int[] r = loop.RunUntilComplete(Result(gather));
            Assert.False(cancelResult);
            Assert.False(gather.IsCancelled);
            Assert.Equal([42], r);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_gather_2 (the message reaches the caller of the cancelled
    // task; asyncio checks the exception has no chained context — in .NET each link of the InnerException chain is
    // the same cancellation, carrying the same message)
    [Theory]
    [InlineData(null)]
    [InlineData("my message")]
    public void Gather_TaskAwaitingGatherCancelledWithMessage_CancelledErrorCarriesIt(string? message)
    {
        CancelledError? e = null;
        WithLoop(loop => e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(Main())));
        Assert.Equal(message, e!.CancelMessage);
        Assert.All(Chain(e), x => Assert.Equal(message, Assert.IsType<CancelledError>(x).CancelMessage));

        async Coroutine Test()
        {
            double time = 0;
            while (true)
            {
                time += 0.05;
                await Aio.Gather(new[] { Sleep(0.05) }, returnExceptions: true);
                if (time > 1)
                {
                    return;
                }
            }
        }

        async Coroutine Main()
        {
            var qwe = Aio.CreateTask(Test());
            await Aio.Sleep(0.2);
            qwe.Cancel(message);
            await qwe;
        }
    }

    // Seed note "asyncio.gather() cancels remaining tasks if one raises (unless return_exceptions=True)" is WRONG for
    // CPython: gather (tasks.py _done_callback) only sets the outer future's exception; the other children are not
    // cancelled and run to completion. CPython: tasks.py gather docstring ("other awaitables in the aws sequence won't
    // be cancelled and will continue to run"); test_tasks.py GatherTestsBase.test_one_exception.
    [Fact]
    public void Gather_OneChildRaises_OtherChildrenAreNotCancelledAndRunToCompletion()
    {
        Run(async loop =>
        {
            var slow = Aio.CreateTask(Sleep(5, 1));
            var coroChild = Sleep(3, 2);
            var g = Aio.Gather(slow, coroChild, Fail(1));
            var e = await Assert.ThrowsAsync<MyExc>(async () => await g);
            Assert.Equal("boom", e.Message);
            Assert.Equal(1.0, loop.Time());
            var coroTask = (AioTask<int>)g.Children[1];
            Assert.False(slow.IsCancelled);
            Assert.False(coroTask.IsCancelled);
            Assert.Equal(2, await coroTask);
            Assert.Equal(1, await slow);
            Assert.Equal(5.0, loop.Time());
        });

        static async Coroutine<int> Fail(double d)
        {
            await Aio.Sleep(d);
            throw new MyExc("boom");
        }
    }

    // Ours (tasks.py _GatheringFuture.cancel, bpo-32684): cancelling the gather raises CancelledError even with
    // return_exceptions=True; the children are cancelled, the gather itself is not "cancelled" but fails.
    [Fact]
    public void GatheringFutureCancel_WithReturnExceptions_StillEndsWithCancelledError()
    {
        Run(async loop =>
        {
            var a = Aio.CreateTask(Sleep(5, 1));
            var b = Aio.CreateTask(Sleep(5, 2));
            var g = Aio.Gather(new IAioAwaitable<int>[] { a, b }, returnExceptions: true);
            await Aio.Sleep(1);
            Assert.True(g.Cancel("stop"));
            var e = await Assert.ThrowsAsync<CancelledError>(async () => await g);
            Assert.Equal("stop", e.CancelMessage);
            Assert.True(a.IsCancelled);
            Assert.True(b.IsCancelled);
            Assert.True(g.IsDone);
            Assert.False(g.IsCancelled);
            Assert.IsType<CancelledError>(g.Exception);
        });
    }

    // Ours: nested gathers. Cancelling the outer gather cancels the inner gather, which cancels its children.
    [Fact]
    public void Gather_NestedGatherCancelled_CancelsTheInnerChildren()
    {
        Run(async loop =>
        {
            var a = Aio.CreateTask(Sleep(5, 1));
            var b = Aio.CreateTask(Sleep(5, 2));
            var c = Aio.CreateTask(Sleep(5, 3));
            var inner = Aio.Gather(a, b);
            var outer = Aio.Gather(inner, c);
            await Aio.Sleep(1);
            Assert.True(outer.Cancel());
            await Assert.ThrowsAsync<CancelledError>(async () => await outer);
            Assert.True(a.IsCancelled);
            Assert.True(b.IsCancelled);
            Assert.True(c.IsCancelled);
            Assert.True(inner.IsDone);
            Assert.IsType<CancelledError>(inner.Exception);
        });
    }

    // Ours: nested gathers give nested results, in argument order.
    [Fact]
    public void Gather_NestedGathers_NestedResultsInArgumentOrder()
    {
        var ((x, y), z) = Run(async loop => await Aio.Gather(Aio.Gather(Sleep(2, 1), Sleep(1, 2)), Sleep(0.5, "three")));
        Assert.Equal((1, 2, "three"), (x, y, z));
    }

    // Ours (tasks.py gather: children done at creation, e.g. by eager start, are handled before gather returns): with
    // eager tasks, coroutines that finish without suspending make the gather done at once.
    [Fact]
    public void Gather_EagerChildrenFinishAtCreation_GatherIsDoneAtOnce()
    {
        Run(
            async loop =>
            {
                var g = Aio.Gather(new[] { Return(1), Return(2), Return(3) });
                Assert.True(g.IsDone);
                Assert.All(g.Children, c => Assert.True(c.IsDone));
                Assert.Equal([1, 2, 3], g.Result);
                Assert.Equal(new[] { 1, 2, 3 }, await g);
            },
            eager: true);
    }

    // Ours (as tasks.py _done_callback: the first failure wins even when it comes from a child done at creation):
    // with eager tasks, a child that fails at once fails the gather at once.
    [Fact]
    public void Gather_EagerChildFailsAtCreation_GatherFailsAtOnce()
    {
        Run(
            async loop =>
            {
                var slow = Sleep(1, 1);
                var g = Aio.Gather(slow, Boom());
                Assert.True(g.IsDone);
                Assert.IsType<MyExc>(g.Exception);
                var slowTask = (AioTask<int>)g.Children[0];
                Assert.False(slowTask.IsDone);
                Assert.Equal(1, await slowTask);
            },
            eager: true);

        static async Coroutine<int> Boom() => throw new MyExc();
    }

    // CPython: test_eager_task_factory.py BaseTaskCountingTests.test_recursive_gather (eager and lazy tasks)
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Gather_RecursiveGathers_AllComplete(bool eager)
    {
        int leaves = Run(
            async loop =>
            {
                int count = 0;
                await RecursiveGather(5, 4);
                return count;

                async Coroutine RecursiveGather(int width, int depth)
                {
                    if (depth == 0)
                    {
                        count++;
                        return;
                    }

                    await Aio.Gather(Enumerable.Range(0, width).Select(_ => RecursiveGather(width, depth - 1)).ToList());
                }
            },
            eager);
        Assert.Equal(625, leaves);
    }

    // Ours: the tuple forms keep each child's type, up to 7 children.
    [Fact]
    public void Gather_SevenChildrenOfDifferentTypes_TypedTuple()
    {
        var r = Run(async loop => await Aio.Gather(Sleep(7, 1), Sleep(6, "two"), Sleep(5, 3.0), Sleep(4, '4'), Sleep(3, 5L), Sleep(2, true), Sleep(1, (byte)7)));
        Assert.Equal((1, "two", 3.0, '4', 5L, true, (byte)7), r);
    }

    // Ours (tasks.py _done_callback: the outer exception is the child's _make_cancelled_error()): a child cancelled
    // with a message fails the gather with a CancelledError carrying that message.
    [Fact]
    public void Gather_ChildCancelledWithMessage_GatherCancelledErrorCarriesIt()
    {
        Run(async loop =>
        {
            var a = Aio.CreateTask(Sleep(5, 1));
            var b = Aio.CreateTask(Sleep(5, 2));
            var g = Aio.Gather(a, b);
            await Aio.Sleep(1);
            b.Cancel("child message");
            var e = await Assert.ThrowsAsync<CancelledError>(async () => await g);
            Assert.Equal("child message", e.CancelMessage);
            Assert.False(a.IsDone);
            a.Cancel();
        });
    }
}
