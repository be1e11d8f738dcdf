using System.Reflection;
using static Asyncio.Tests.LoopRun;
using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Sync;

/// <summary>
/// Ports of CPython's <c>test_locks.py</c> <c>BarrierTests</c> to <see cref="AsyncBarrier"/>. CPython's
/// <c>async with barrier as i</c> is <c>int i = await barrier.WaitAsync()</c> (its <c>__aexit__</c> does nothing).
/// </summary>
public sealed class AsyncBarrierTests
{
    private const int N = 5;

    private static List<AioTask<T>> MakeTasks<T>(int n, Func<Coroutine<T>> coro) =>
        Enumerable.Range(0, n).Select(_ => Aio.CreateTask(coro())).ToList();

    private static List<AioTask> MakeTasks(int n, Func<Coroutine> coro) =>
        Enumerable.Range(0, n).Select(_ => Aio.CreateTask(coro())).ToList();

    private static async Coroutine<T[]> GatherTasks<T>(int n, Func<Coroutine<T>> coro) => await Aio.Gather(MakeTasks(n, coro));

    private static async Coroutine GatherTasks(int n, Func<Coroutine> coro) => await Aio.Gather(MakeTasks(n, coro));

    // CPython: test_locks.py BarrierTests.test_barrier (the "can't be used in 'await' expression" half is
    // AsyncLockTests.Primitives_AreNotAwaitableThemselves_NoGetAwaiter)
    [Fact]
    public void ToString_NewBarrier_Filling()
    {
        var barrier = new AsyncBarrier(N);
        Assert.Contains("filling", barrier.ToString());
        Assert.Equal(N, barrier.Parties);
        Assert.Equal(0, barrier.WaitingCount);
        Assert.False(barrier.IsBroken);
    }

    // CPython: test_locks.py BarrierTests.test_repr
    [Fact]
    public void ToString_FollowsFillingDrainingResettingBroken()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            Assert.Contains("filling", barrier.ToString());

            var waiters = new List<AioTask>();
            async Coroutine Wait() => await barrier.WaitAsync();

            const int incr = 2;
            for (int i = 0; i < incr; i++)
            {
                waiters.Add(Aio.CreateTask(Wait()));
            }

            await Yield();
            Assert.Contains($"waiters={incr}/{N}", barrier.ToString());
            Assert.Contains("filling", barrier.ToString());

            // create the missing waiters
            for (int i = 0; i < barrier.Parties - barrier.WaitingCount; i++)
            {
                waiters.Add(Aio.CreateTask(Wait()));
            }

            await Yield();
            Assert.Contains("draining", barrier.ToString());

            // add a part of waiters, and reset
            for (int i = 0; i < incr; i++)
            {
                waiters.Add(Aio.CreateTask(Wait()));
            }

            await Yield();
            await barrier.ResetAsync();
            Assert.Contains("resetting", barrier.ToString());

            // add a part of waiters again, and abort
            for (int i = 0; i < incr; i++)
            {
                waiters.Add(Aio.CreateTask(Wait()));
            }

            await Yield();
            await barrier.AbortAsync();
            Assert.Contains("broken", barrier.ToString());
            Assert.True(barrier.IsBroken);

            // retrieve the waiters' exceptions
            await Aio.Gather(waiters, returnExceptions: true);
        });
    }

    // CPython: test_locks.py BarrierTests.test_barrier_parties
    [Fact]
    public void Constructor_PartiesBelowOne_ThrowsArgumentOutOfRangeSayingSo()
    {
        var e0 = Throws<ArgumentOutOfRangeException>(() => new AsyncBarrier(0), "at least 1");
        Assert.Equal("parties", e0.ParamName);
        Throws<ArgumentOutOfRangeException>(() => new AsyncBarrier(-4), "at least 1");
        Assert.Equal(N, new AsyncBarrier(N).Parties);
    }

    // CPython: test_locks.py BarrierTests.test_context_manager
    [Fact]
    public void WaitAsync_ThreeParties_EachGetsADistinctIndex()
    {
        RunAio(async () =>
        {
            const int n = 3;
            var barrier = new AsyncBarrier(n);
            var results = new List<int>();

            async Coroutine Coro() => results.Add(await barrier.WaitAsync());

            await GatherTasks(n, Coro);
            Assert.Equal([0, 1, 2], results.Order());
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_filling_one_task
    [Fact]
    public void WaitAsync_OneParty_ReturnsAtOnce()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(1);

            async Coroutine<bool> F()
            {
                int i = await barrier.WaitAsync();
                Assert.Equal(0, i);
                return true;
            }

            Assert.True(await F());
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_filling_one_task_twice
    [Fact]
    public void WaitAsync_OnePartyTwice_BothPassWithIndexZero()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(1);
            var t1 = Aio.CreateTask(barrier.WaitAsync());
            await Yield();
            Assert.Equal(0, barrier.WaitingCount);

            var t2 = Aio.CreateTask(barrier.WaitAsync());
            await Yield();

            Assert.Equal(t1.Result, t2.Result);
            Assert.Equal(t1.IsDone, t2.IsDone);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_filling_task_by_task
    [Fact]
    public void WaitAsync_TaskByTask_CountsWaitersUntilTheLastReleasesAll()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(3);

            var t1 = Aio.CreateTask(barrier.WaitAsync());
            await Yield();
            Assert.Equal(1, barrier.WaitingCount);
            Assert.Contains("filling", barrier.ToString());

            var t2 = Aio.CreateTask(barrier.WaitAsync());
            await Yield();
            Assert.Equal(2, barrier.WaitingCount);
            Assert.Contains("filling", barrier.ToString());

            var t3 = Aio.CreateTask(barrier.WaitAsync());
            await Yield();

            await Aio.Wait(new[] { t1, t2, t3 });
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_filling_tasks_wait_twice
    [Fact]
    public void WaitAsync_NestedTwice_EveryTaskPassesBothRounds()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results = new List<bool>();

            async Coroutine Coro()
            {
                await barrier.WaitAsync();
                results.Add(true);
                await barrier.WaitAsync();
                results.Add(false);
            }

            await GatherTasks(N, Coro);
            Assert.Equal(N * 2, results.Count);
            Assert.Equal(N, results.Count(r => r));
            Assert.Equal(N, results.Count(r => !r));
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_filling_tasks_check_return_value
    [Fact]
    public void WaitAsync_SecondRound_IndicesAreAgainZeroToNMinusOne()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results1 = new List<bool>();
            var results2 = new List<bool>();

            async Coroutine<int> Coro()
            {
                await barrier.WaitAsync();
                results1.Add(true);
                int i = await barrier.WaitAsync();
                results2.Add(true);
                return i;
            }

            int[] res = await GatherTasks(N, Coro);
            Assert.Equal(N, results1.Count);
            Assert.Equal(N, results2.Count);
            Assert.Equal(Enumerable.Range(0, N), res.Order());
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_draining_state
    [Fact]
    public void WaitAsync_Released_DrainingUntilTheLastTaskLeaves()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results = new List<bool>();

            async Coroutine Coro()
            {
                await barrier.WaitAsync();
                // the state changes to filling when the last task leaves
                results.Add(barrier.ToString().Contains("draining", StringComparison.Ordinal));
            }

            await GatherTasks(N, Coro);
            Assert.Equal(N, results.Count);
            Assert.False(results[^1]);
            Assert.All(results.Take(N - 1), Assert.True);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_blocking_tasks_while_draining
    [Fact]
    public void WaitAsync_ArrivingWhileDraining_BlocksUntilTheBarrierRefills()
    {
        RunAio(async () =>
        {
            const int rewait = 2;
            var barrier = new AsyncBarrier(N);
            var barrierNoWaiting = new AsyncBarrier(N - rewait);
            int rewaitN = rewait;

            async Coroutine Coro()
            {
                // first time waiting
                await barrier.WaitAsync();

                // after waiting once for all tasks
                if (rewaitN > 0)
                {
                    rewaitN--;
                    // wait again only for the rewait tasks
                    await barrier.WaitAsync();
                }
                else
                {
                    // wait for the end of the draining state
                    await barrierNoWaiting.WaitAsync();
                    // wait for the other waiting tasks
                    await barrier.WaitAsync();
                }
            }

            // a success means that barrierNoWaiting was waited for exactly N - rewait times
            await GatherTasks(N, Coro);
            Assert.Equal(0, barrier.WaitingCount);
        });
    }

    // CPython: test_locks.py BarrierTests.test_filling_tasks_cancel_one
    [Fact]
    public void WaitAsync_OneWaiterCancelled_CountDropsAndTheBarrierStillWorks()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(3);
            var results = new List<bool>();

            async Coroutine Coro()
            {
                await barrier.WaitAsync();
                results.Add(true);
            }

            var t1 = Aio.CreateTask(Coro());
            await Yield();
            Assert.Equal(1, barrier.WaitingCount);

            var t2 = Aio.CreateTask(Coro());
            await Yield();
            Assert.Equal(2, barrier.WaitingCount);

            t1.Cancel();
            await Yield();
            Assert.Equal(1, barrier.WaitingCount);
            await ThrowsAsync<CancelledError>(async () => await t1);
            Assert.True(t1.IsCancelled);

            var t3 = Aio.CreateTask(Coro());
            await Yield();
            Assert.Equal(2, barrier.WaitingCount);

            var t4 = Aio.CreateTask(Coro());
            await Aio.Gather(t2, t3, t4);

            Assert.Equal(3, results.Count);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_reset_barrier
    [Fact]
    public void ResetAsync_NoWaiters_StaysFilling()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(1);
            var reset = Aio.CreateTask(barrier.ResetAsync());
            await Yield();
            Assert.True(reset.IsCompletedSuccessfully);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_reset_barrier_while_tasks_waiting
    [Fact]
    public void ResetAsync_WhileTasksWait_TheyGetBrokenBarrierError()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results = new List<bool>();

            async Coroutine Coro()
            {
                try
                {
                    await barrier.WaitAsync();
                }
                catch (BrokenBarrierError)
                {
                    results.Add(true);
                }
            }

            // N-1 tasks waiting on a barrier of N parties
            var tasks = MakeTasks(N - 1, Coro);
            await Yield();

            // reset the barrier
            var reset = Aio.CreateTask(barrier.ResetAsync());
            await Aio.Gather(tasks);

            Assert.Equal(N - 1, results.Count);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.DoesNotContain("resetting", barrier.ToString());
            Assert.False(barrier.IsBroken);
            await reset;
        });
    }

    // CPython: test_locks.py BarrierTests.test_reset_barrier_when_tasks_half_draining (CPython compares with the private
    // barrier._count, the tasks still inside; here the number that already left is counted instead).
    [Fact]
    public void ResetAsync_WhileHalfTheTasksStillDrain_TheyGetBrokenBarrierError()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results1 = new List<bool>();
            const int restOfTasks = N / 2;
            int left = 0;

            async Coroutine Coro()
            {
                try
                {
                    await barrier.WaitAsync();
                }
                catch (BrokenBarrierError)
                {
                    // the tasks still waiting to drain land here
                    results1.Add(true);
                    return;
                }

                // a drained task is outside the barrier; barrier._count == restOfTasks once N - restOfTasks have left
                if (++left == N - restOfTasks)
                {
                    await barrier.ResetAsync();
                }
            }

            await GatherTasks(N, Coro);
            Assert.Equal(Enumerable.Repeat(true, restOfTasks), results1);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.DoesNotContain("resetting", barrier.ToString());
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_reset_barrier_when_tasks_half_draining_half_blocking
    [Fact]
    public void ResetAsync_HalfDrainingHalfBlocking_OnlyTheWaitingOnesBreak()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results1 = new List<bool>();
            var results2 = new List<bool>();
            const int blockingTasks = N / 2;
            int count = 0;

            async Coroutine Coro()
            {
                try
                {
                    await barrier.WaitAsync();
                }
                catch (BrokenBarrierError)
                {
                    // the tasks still waiting land here
                    results1.Add(true);
                    // and wait again to reach the parties
                    await barrier.WaitAsync();
                    return;
                }

                count++;
                if (count > blockingTasks)
                {
                    // reset now: BrokenBarrierError for the waiting tasks
                    await barrier.ResetAsync();
                    // and wait again to reach the parties
                    await barrier.WaitAsync();
                }
                else
                {
                    try
                    {
                        await barrier.WaitAsync();
                    }
                    catch (BrokenBarrierError)
                    {
                        // no catch here: blocked tasks go on waiting
                        results2.Add(true);
                    }
                }
            }

            await GatherTasks(N, Coro);
            Assert.Equal(Enumerable.Repeat(true, blockingTasks), results1);
            Assert.Empty(results2);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.DoesNotContain("resetting", barrier.ToString());
            Assert.False(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_reset_barrier_while_tasks_waiting_and_waiting_again
    [Fact]
    public void ResetAsync_WaitersBreakThenWaitAgain_AllPassTheNextRound()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results1 = new List<bool>();
            var results2 = new List<bool>();

            async Coroutine Coro1()
            {
                try
                {
                    await barrier.WaitAsync();
                }
                catch (BrokenBarrierError)
                {
                    results1.Add(true);
                }
                finally
                {
                    await barrier.WaitAsync();
                    results2.Add(true);
                }
            }

            async Coroutine Coro2()
            {
                await barrier.WaitAsync();
                results2.Add(true);
            }

            var tasks = MakeTasks(N - 1, Coro1);

            // reset the barrier: the N-1 waiting tasks get BrokenBarrierError
            var reset = Aio.CreateTask(barrier.ResetAsync());
            await Yield();

            // complete the waiting tasks in their `finally`
            var last = Aio.CreateTask(Coro2());

            await Aio.Gather(tasks);

            Assert.False(barrier.IsBroken);
            Assert.Equal(N - 1, results1.Count);
            Assert.Equal(N, results2.Count);
            Assert.Equal(0, barrier.WaitingCount);
            await reset;
            await last;
        });
    }

    // CPython: test_locks.py BarrierTests.test_reset_barrier_while_tasks_draining
    [Fact]
    public void ResetAsync_ByTheLastTaskOut_NextRoundsStillPass()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results1 = new List<bool>();
            var results2 = new List<bool>();
            var results3 = new List<bool>();
            int count = 0;

            async Coroutine Coro()
            {
                await barrier.WaitAsync();
                count++;
                if (count == N)
                {
                    // the last task out of the barrier
                    await barrier.ResetAsync();
                    // wait here to reach the parties
                    await barrier.WaitAsync();
                }
                else
                {
                    try
                    {
                        // second wait: N-1 tasks here
                        await barrier.WaitAsync();
                        results1.Add(true);
                    }
                    catch (Exception)
                    {
                        // never here
                        results2.Add(true);
                    }
                }

                // pass the barrier once more: must complete
                await barrier.WaitAsync();
                results3.Add(true);
            }

            await GatherTasks(N, Coro);
            Assert.False(barrier.IsBroken);
            Assert.Equal(N - 1, results1.Count);
            Assert.Empty(results2);
            Assert.Equal(N, results3.Count);
            Assert.Equal(0, barrier.WaitingCount);
        });
    }

    // CPython: test_locks.py BarrierTests.test_abort_barrier
    [Fact]
    public void AbortAsync_NoWaiters_Broken()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(1);
            var abort = Aio.CreateTask(barrier.AbortAsync());
            await Yield();
            Assert.True(abort.IsCompletedSuccessfully);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.True(barrier.IsBroken);
        });
    }

    // Ours (locks.py Barrier._block): once broken, a new wait fails at once.
    [Fact]
    public void WaitAsync_AfterAbort_ThrowsBrokenBarrierError()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(2);
            await barrier.AbortAsync();
            var e = await ThrowsAsync<BrokenBarrierError>(async () => await barrier.WaitAsync());
            Assert.Contains("aborted", e.Message);
            Assert.True(barrier.IsBroken);
        });
    }

    // CPython: test_locks.py BarrierTests.test_abort_barrier_when_tasks_half_draining_half_blocking
    [Fact]
    public void AbortAsync_HalfDrainingHalfBlocking_EveryoneStillInsideBreaks()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results1 = new List<bool>();
            var results2 = new List<bool>();
            const int blockingTasks = N / 2;
            int count = 0;

            async Coroutine Coro()
            {
                try
                {
                    await barrier.WaitAsync();
                }
                catch (BrokenBarrierError)
                {
                    // the tasks waiting to drain land here
                    results1.Add(true);
                    return;
                }

                count++;
                if (count > blockingTasks)
                {
                    // abort now: BrokenBarrierError for every task
                    await barrier.AbortAsync();
                }
                else
                {
                    try
                    {
                        await barrier.WaitAsync();
                    }
                    catch (BrokenBarrierError)
                    {
                        // the blocked (already drained) tasks land here
                        results2.Add(true);
                    }
                }
            }

            await GatherTasks(N, Coro);
            Assert.True(barrier.IsBroken);
            Assert.Equal(Enumerable.Repeat(true, blockingTasks), results1);
            Assert.Equal(Enumerable.Repeat(true, N - blockingTasks - 1), results2);
            Assert.Equal(0, barrier.WaitingCount);
            Assert.DoesNotContain("resetting", barrier.ToString());
        });
    }

    // CPython: test_locks.py BarrierTests.test_abort_barrier_when_exception (threading's lock_tests.test_reset)
    [Fact]
    public void AbortAsync_AfterAnErrorInOneTask_OthersGetBrokenBarrierError()
    {
        RunAio(async () =>
        {
            var barrier = new AsyncBarrier(N);
            var results1 = new List<bool>();
            var results2 = new List<bool>();

            async Coroutine Coro()
            {
                try
                {
                    int i = await barrier.WaitAsync();
                    if (i == N / 2)
                    {
                        throw new InvalidOperationException("boom");
                    }

                    await barrier.WaitAsync();
                    results1.Add(true);
                }
                catch (BrokenBarrierError)
                {
                    results2.Add(true);
                }
                catch (InvalidOperationException)
                {
                    await barrier.AbortAsync();
                }
            }

            await GatherTasks(N, Coro);
            Assert.True(barrier.IsBroken);
            Assert.Empty(results1);
            Assert.Equal(N - 1, results2.Count);
            Assert.Equal(0, barrier.WaitingCount);
        });
    }

    // CPython: test_locks.py BarrierTests.test_abort_barrier_when_exception_then_resetting (threading's
    // lock_tests.test_abort_and_reset)
    [Fact]
    public void ResetAsync_AfterAbort_BarrierWorksAgain()
    {
        RunAio(async () =>
        {
            var barrier1 = new AsyncBarrier(N);
            var barrier2 = new AsyncBarrier(N);
            var results1 = new List<bool>();
            var results2 = new List<bool>();
            var results3 = new List<bool>();

            async Coroutine Coro()
            {
                try
                {
                    int i = await barrier1.WaitAsync();
                    if (i == N / 2)
                    {
                        throw new InvalidOperationException("boom");
                    }

                    await barrier1.WaitAsync();
                    results1.Add(true);
                }
                catch (BrokenBarrierError)
                {
                    results2.Add(true);
                }
                catch (InvalidOperationException)
                {
                    await barrier1.AbortAsync();
                }

                // Synchronize and reset the barrier. Synchronize first so that everyone has left it when we reset,
                // and after, so that no one enters it before the reset.
                int j = await barrier2.WaitAsync();
                if (j == N / 2)
                {
                    await barrier1.ResetAsync();
                }

                await barrier2.WaitAsync();
                await barrier1.WaitAsync();
                results3.Add(true);
            }

            await GatherTasks(N, Coro);
            Assert.False(barrier1.IsBroken);
            Assert.Empty(results1);
            Assert.Equal(N - 1, results2.Count);
            Assert.Equal(N, results3.Count);
            Assert.Equal(0, barrier1.WaitingCount);
        });
    }

    // Ours (the brief's "every wait also takes a CancellationToken"): Barrier.WaitAsync should accept one like every
    // other wait of the library. Checked by reflection so that the rest of this file still compiles.
    [Fact]
    public void WaitAsync_HasACancellationTokenOverload()
    {
        MethodInfo? m = typeof(AsyncBarrier).GetMethod(nameof(AsyncBarrier.WaitAsync), [typeof(CancellationToken)]);
        Assert.True(m is not null, "AsyncBarrier.WaitAsync(CancellationToken) is missing: a barrier wait cannot be cancelled by a token");
    }

    // Ours (mixins._LoopBoundMixin): a barrier used on one loop refuses to wait on another.
    [Fact]
    public void WaitAsync_BarrierBoundToAnotherLoop_ThrowsBoundToADifferentLoop()
    {
        var barrier = new AsyncBarrier(2);
        using (var other = NewLoop())
        {
            other.RunUntilComplete(Bind(barrier));
        }

        RunAio(async () =>
        {
            var e = await ThrowsAnyAsync<InvalidOperationException>(async () => await barrier.WaitAsync());
            Assert.Contains("bound to a different event loop", e.Message);
        });

        static async Coroutine Bind(AsyncBarrier b)
        {
            var t = Aio.CreateTask(b.WaitAsync());
            await b.WaitAsync();
            await t;
        }
    }
}
