using static Asyncio.Tests.Compose.Kit;
using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Compose;

/// <summary>Ports of the <c>test_wait*</c> methods of CPython's <c>test_tasks.py</c> <c>BaseTaskTests</c>.</summary>
public sealed class WaitTests
{
    private static async Coroutine<string> Value(string s) => s;

    // CPython: test_tasks.py BaseTaskTests.test_wait
    [Fact]
    public void Wait_AllCompleted_ReturnsOnceEveryTaskIsDone()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(0.1));
            var b = loop.CreateTask(Sleep(0.15));

            Assert.Equal(42, loop.RunUntilComplete(Foo()));
            Assert.Equal(0.15, loop.Time(), 9);

            // Doing it again should take no time and exercise a different path.
            Assert.Equal(42, loop.RunUntilComplete(Foo()));
            Assert.Equal(0.15, loop.Time(), 9);

            async Coroutine<int> Foo()
            {
                var (done, pending) = await Aio.Wait(new[] { b, a });
                SameSet(done, a, b);
                Assert.Empty(pending);
                return 42;
            }
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_duplicate_coroutines (asyncio 3.12+ forbids coroutines in wait:
    // the same task given twice)
    [Fact]
    public void Wait_SameTaskTwice_CollapsesToOne()
    {
        WithLoop(loop =>
        {
            var c = loop.CreateTask(Value("test"));
            var (done, pending) = loop.RunUntilComplete(Aio.Wait(new[] { c, c, loop.CreateTask(Value("spam")) }));
            Assert.Empty(pending);
            Assert.Equal(2, done.Count);
            Assert.Equal(new HashSet<string> { "test", "spam" }, done.Select(f => f.Result).ToHashSet());
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_errors and test_wait_invalid_args (asyncio: ValueError
    // 'Set of Tasks/Futures is empty.', ValueError 'Invalid return_when value: -1')
    [Fact]
    public void Wait_EmptySetOrInvalidReturnWhen_ThrowsArgumentException()
    {
        Run(async loop =>
        {
            var empty = await Assert.ThrowsAsync<ArgumentException>(async () => await Aio.Wait(Array.Empty<AioTask>()));
            Assert.Contains("empty", empty.Message, StringComparison.OrdinalIgnoreCase);

            var sleeper = Aio.CreateTask(Sleep(10));
            var invalid = await Assert.ThrowsAsync<ArgumentException>(
                async () => await Aio.Wait(new[] { sleeper }, returnWhen: (ReturnWhen)(-1)));
            Assert.Contains("ReturnWhen", invalid.Message, StringComparison.Ordinal);
            Assert.Contains("-1", invalid.Message, StringComparison.Ordinal);
            sleeper.Cancel();
        });
    }

    // Ours (bad input): a null element, a NaN timeout.
    [Fact]
    public void Wait_NullElementOrNaNTimeout_Throws()
    {
        Run(async loop =>
        {
            var t = Aio.CreateTask(Sleep(1));
            await Assert.ThrowsAsync<ArgumentNullException>(async () => await Aio.Wait(new[] { t, null! }));
            await Assert.ThrowsAsync<ArgumentNullException>(async () => await Aio.Wait<AioTask>(null!));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await Aio.Wait(new[] { t }, timeout: double.NaN));
            await t;
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_first_completed
    [Fact]
    public void Wait_FirstCompleted_ReturnsWhenTheFirstIsDoneAndLeavesTheOthersRunning()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(10.0));
            var b = loop.CreateTask(Sleep(0.1));
            var (done, pending) = loop.RunUntilComplete(Aio.Wait(new[] { b, a }, returnWhen: ReturnWhen.FirstCompleted));
            SameSet(done, b);
            SameSet(pending, a);
            Assert.False(a.IsDone);
            Assert.True(b.IsDone);
            Assert.True(b.IsCompletedSuccessfully);
            Assert.Equal(0.1, loop.Time(), 9);
            loop.RunUntilComplete(Aio.Wait(new[] { a, b }));
            Assert.False(a.IsCancelled);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_really_done (tasks that became done before the wait resumed are
    // in done, even with FIRST_COMPLETED)
    [Fact]
    public void Wait_FirstCompleted_TasksDoneBeforeTheWaiterResumesAreAllInDone()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Coro1());
            var b = loop.CreateTask(Coro2());
            var (done, pending) = loop.RunUntilComplete(Aio.Wait(new[] { b, a }, returnWhen: ReturnWhen.FirstCompleted));
            SameSet(done, a, b);
            Assert.Empty(pending);
            Assert.True(a.IsCompletedSuccessfully);
            Assert.True(b.IsCompletedSuccessfully);
        });

        static async Coroutine Coro1() => await Aio.Sleep(0);

        static async Coroutine Coro2()
        {
            await Aio.Sleep(0);
            await Aio.Sleep(0);
        }
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_first_exception
    [Fact]
    public void Wait_FirstExceptionAndATaskFailsAtOnce_ReturnsWithoutWaitingForTheOthers()
    {
        var reports = WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(10.0));
            var b = loop.CreateTask(Exc());
            var (done, pending) = loop.RunUntilComplete(Aio.Wait(new[] { b, a }, returnWhen: ReturnWhen.FirstException));
            SameSet(done, b);
            SameSet(pending, a);
            Assert.Equal(0.0, loop.Time());
            loop.RunUntilComplete(Aio.Wait(new[] { a, b }));
        });

        // asyncio's _on_completion calls f.exception() for FIRST_EXCEPTION: the failure counts as retrieved.
        Assert.Empty(NeverRetrieved(reports));

        static async Coroutine Exc() => throw new DivideByZeroException("err");
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_first_exception_in_wait
    [Fact]
    public void Wait_FirstExceptionAndATaskFailsDuringTheWait_ReturnsAtTheFailure()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(10.0));
            var b = loop.CreateTask(Exc());
            var (done, pending) = loop.RunUntilComplete(Aio.Wait(new[] { b, a }, returnWhen: ReturnWhen.FirstException));
            SameSet(done, b);
            SameSet(pending, a);
            Assert.Equal(0.01, loop.Time(), 9);
            loop.RunUntilComplete(Aio.Wait(new[] { a, b }));
        });

        static async Coroutine Exc()
        {
            await Aio.Sleep(0.01);
            throw new DivideByZeroException("err");
        }
    }

    // Ours (tasks.py _on_completion: FIRST_EXCEPTION ignores cancelled futures, and without any failure it waits for
    // all, as ALL_COMPLETED)
    [Fact]
    public void Wait_FirstExceptionWithOnlyCancellationsAndSuccesses_WaitsForAll()
    {
        Run(async loop =>
        {
            var a = Aio.CreateTask(Sleep(1));
            var b = Aio.CreateTask(Sleep(2));
            var c = Aio.CreateTask(Sleep(3));
            a.Cancel();
            var (done, pending) = await Aio.Wait(new[] { a, b, c }, returnWhen: ReturnWhen.FirstException);
            Assert.Equal(3, done.Count);
            Assert.Empty(pending);
            Assert.Equal(3.0, loop.Time());
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_with_exception
    [Fact]
    public void Wait_AllCompletedWithAFailure_BothInDoneAndNothingRaised()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(0.1));
            var b = loop.CreateTask(Sleeper());
            loop.RunUntilComplete(Foo());
            Assert.Equal(0.15, loop.Time(), 9);
            loop.RunUntilComplete(Foo());
            Assert.Equal(0.15, loop.Time(), 9);

            async Coroutine Foo()
            {
                var (done, pending) = await Aio.Wait(new[] { b, a });
                Assert.Equal(2, done.Count);
                Assert.Empty(pending);
                _ = Assert.Single(done, f => f.Exception is not null);
            }
        });

        static async Coroutine Sleeper()
        {
            await Aio.Sleep(0.15);
            throw new DivideByZeroException("really");
        }
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_with_timeout (the timeout neither raises nor cancels)
    [Fact]
    public void Wait_Timeout_ReturnsDoneAndPendingWithoutRaisingOrCancelling()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(0.1));
            var b = loop.CreateTask(Sleep(0.15));
            loop.RunUntilComplete(Foo());
            Assert.Equal(0.11, loop.Time(), 9);
            Assert.False(b.IsDone);
            loop.RunUntilComplete(Aio.Wait(new[] { a, b }));
            Assert.True(b.IsCompletedSuccessfully);

            async Coroutine Foo()
            {
                var (done, pending) = await Aio.Wait(new[] { b, a }, timeout: 0.11);
                SameSet(done, a);
                SameSet(pending, b);
            }
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_concurrent_complete (a task done at the deadline's instant is in done)
    [Fact]
    public void Wait_TimeoutAtTheInstantATaskFinishes_TaskIsInDone()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(0.1));
            var b = loop.CreateTask(Sleep(0.15));
            var (done, pending) = loop.RunUntilComplete(Aio.Wait(new[] { b, a }, timeout: 0.1));
            SameSet(done, a);
            SameSet(pending, b);
            Assert.Equal(0.1, loop.Time(), 9);
            loop.RunUntilComplete(Aio.Wait(new[] { a, b }));
        });
    }

    // Ours (tasks.py _wait: call_later(timeout) — a zero timeout still lets the loop run once, it never raises)
    [Fact]
    public void Wait_TimeoutZero_ReturnsEverythingPendingWithoutWaiting()
    {
        Run(async loop =>
        {
            var a = Aio.CreateTask(Sleep(1));
            var (done, pending) = await Aio.Wait(new[] { a }, timeout: 0);
            Assert.Empty(done);
            SameSet(pending, a);
            Assert.Equal(0.0, loop.Time());
            Assert.False(a.IsCancelled);
            await a;
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_with_iterator_of_tasks
    [Fact]
    public void Wait_LazyEnumerableOfTasks_Works()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(0.1));
            var b = loop.CreateTask(Sleep(0.15));
            Assert.Equal(42, loop.RunUntilComplete(Foo()));
            Assert.Equal(0.15, loop.Time(), 9);

            async Coroutine<int> Foo()
            {
                var (done, pending) = await Aio.Wait(Iter());
                SameSet(done, a, b);
                Assert.Empty(pending);
                return 42;
            }

            IEnumerable<AioTask> Iter()
            {
                yield return b;
                yield return a;
            }
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_wait_generator
    [Fact]
    public void Wait_GeneratorCreatingTheTasks_AllDone()
    {
        Run(async loop =>
        {
            var tasks = Enumerable.Range(0, 10).Select(i => Aio.CreateTask(Return(i)));
            var (done, pending) = await Aio.Wait(tasks, returnWhen: ReturnWhen.AllCompleted);
            Assert.Equal(10, done.Count);
            Assert.Empty(pending);
            Assert.Equal(Enumerable.Range(0, 10), done.Select(t => t.Result).Order());
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_yield_wait_does_not_shield_cancel (cancelling the caller cancels the
    // wait only; the task waited for keeps running)
    [Fact]
    public void Wait_CallerCancelled_OnlyTheWaitIsCancelled()
    {
        WithLoop(loop =>
        {
            int proof = 0;
            var waiter = loop.CreateFuture<bool>();
            AioTask? inner = null;
            var f = loop.CreateTask(Outer());
            RunBriefly(loop);
            f.Cancel();
            Assert.Throws<CancelledError>(() => loop.RunUntilComplete(f));
            Assert.False(inner!.IsDone);
            waiter.SetResult(true);
            RunBriefly(loop);
            Assert.Equal(1, proof);
            Assert.True(inner.IsCompletedSuccessfully);

            async Coroutine InnerCoro()
            {
                await waiter;
                proof += 1;
            }

            async Coroutine Outer()
            {
                inner = Aio.CreateTask(InnerCoro());
                _ = await Aio.Wait(new[] { inner });
                proof += 100;
            }
        });
    }

    // Ours: plain futures can be waited on too, and the result sets hold the very futures given.
    [Fact]
    public void Wait_Futures_SetsHoldTheSameFutures()
    {
        Run(async loop =>
        {
            var f1 = loop.CreateFuture<int>();
            var f2 = loop.CreateFuture<int>();
            loop.CallLater(1, () => f1.SetResult(1));
            var (done, pending) = await Aio.Wait(new[] { f1, f2 }, returnWhen: ReturnWhen.FirstCompleted);
            Assert.Same(f1, Assert.Single(done));
            Assert.Same(f2, Assert.Single(pending));
            f2.Cancel();
        });
    }
}
