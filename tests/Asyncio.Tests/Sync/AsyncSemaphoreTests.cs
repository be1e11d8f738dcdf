using static Asyncio.Tests.LoopRun;
using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Sync;

/// <summary>
/// Ports of CPython's <c>test_locks.py</c> <c>SemaphoreTests</c> (Semaphore and BoundedSemaphore, 3.13: FIFO
/// <c>locked()</c>, the gh-90155 cancellation cases, <c>test_acquire_fifo_order*</c>) and <c>test_pep492.py</c> to
/// <see cref="AsyncSemaphore"/> / <see cref="AsyncBoundedSemaphore"/>, plus token, allocation and bad-input contracts.
/// </summary>
public sealed class AsyncSemaphoreTests
{
    // CPython: test_locks.py SemaphoreTests.test_initial_value_zero
    [Fact]
    public void Constructor_InitialZero_IsLocked()
    {
        var sem = new AsyncSemaphore(0);
        Assert.True(sem.IsLocked);
        Assert.Equal(0, sem.CurrentCount);
    }

    // CPython: test_locks.py SemaphoreTests.test_repr (the state, as Lock/Event/Condition/Barrier show theirs: [locked]/[unlocked])
    [Fact]
    public void ToString_ShowsLockedStateValueAndWaiters()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore();
            Assert.Contains("value=1", sem.ToString());
            Assert.Contains("unlocked", sem.ToString());   // CPython: '[unlocked, value:1]'
            await sem.AcquireAsync();
            Assert.Contains("value=0", sem.ToString());
            Assert.Contains("[locked]", sem.ToString());   // CPython: '[locked]'
            Assert.Equal(0, Waiters(sem));

            var t1 = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            var t2 = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            await Yield();
            Assert.Equal(2, Waiters(sem));
            sem.Release();
            sem.Release();
            await t1;
            await t2;
            Assert.Equal(0, Waiters(sem));
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_semaphore (the "can't be used in 'await' expression" half is
    // AsyncLockTests.Primitives_AreNotAwaitableThemselves_NoGetAwaiter)
    [Fact]
    public void Constructor_Default_OneFreePermit()
    {
        var sem = new AsyncSemaphore();
        Assert.False(sem.IsLocked);
        Assert.Equal(1, sem.CurrentCount);
    }

    // CPython: test_locks.py SemaphoreTests.test_semaphore_value
    [Fact]
    public void Constructor_NegativeCount_ThrowsArgumentOutOfRangeSayingSo()
    {
        var e = Throws<ArgumentOutOfRangeException>(() => new AsyncSemaphore(-1), "zero or more");
        Assert.Equal("initialCount", e.ParamName);
        var b = Throws<ArgumentOutOfRangeException>(() => new AsyncBoundedSemaphore(-1), "zero or more");
        Assert.Equal("initialCount", b.ParamName);
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire
    [Fact]
    public void AcquireAsync_MoreTasksThanPermits_ReleasesHandPermitsToWaitersNotNewcomers()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(3);
            var result = new List<int>();

            await sem.AcquireAsync();
            await sem.AcquireAsync();
            Assert.False(sem.IsLocked);

            async Coroutine<bool> C(int n)
            {
                await sem.AcquireAsync();
                result.Add(n);
                return true;
            }

            var t1 = Aio.CreateTask(C(1));
            var t2 = Aio.CreateTask(C(2));
            var t3 = Aio.CreateTask(C(3));
            await Yield();
            Assert.Equal([1], result);
            Assert.True(sem.IsLocked);
            Assert.Equal(2, Waiters(sem));
            Assert.Equal(0, sem.CurrentCount);

            var t4 = Aio.CreateTask(C(4));
            sem.Release();
            sem.Release();
            Assert.Equal(0, sem.CurrentCount);

            await Yield();
            Assert.Equal(0, sem.CurrentCount);
            Assert.Equal(3, result.Count);
            Assert.True(sem.IsLocked);
            Assert.Equal(1, Waiters(sem));
            Assert.Equal(0, sem.CurrentCount);

            Assert.True(t1.IsDone && t1.Result);
            var raceTasks = new[] { t2, t3, t4 };
            Assert.Equal(2, raceTasks.Count(t => t.IsCompletedSuccessfully && t.Result));

            // clean up the locked semaphore
            sem.Release();
            await Aio.Gather(raceTasks);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire_cancel
    [Fact]
    public void AcquireAsync_Cancelled_ThrowsCancelledErrorAndLeavesNoWaiter()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore();
            await sem.AcquireAsync();
            var acquire = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            Aio.GetRunningLoop().CallSoon(() => acquire.Cancel());
            await ThrowsAsync<CancelledError>(async () => await acquire);
            Assert.Equal(0, Waiters(sem));
            Assert.Equal(0, sem.CurrentCount);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire_cancel_before_awoken (gh-90155)
    [Fact]
    public void Release_FirstWaitersCancelledBeforeWakeUp_PermitGoesToTheNextLiveWaiter()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(0);
            var t1 = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            var t2 = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            var t3 = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            var t4 = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            await Yield();

            t1.Cancel();
            t2.Cancel();
            sem.Release();

            await Yield();
            await Yield();
            Assert.Equal(1, new[] { t3, t4 }.Count(t => t.IsDone));
            Assert.True(t3.IsDone);
            Assert.False(t4.IsDone);

            t3.Cancel();
            t4.Cancel();
            await Yield();
            Assert.True(t4.IsCancelled);
            Assert.Equal(0, sem.CurrentCount);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire_hang (gh-90155)
    [Fact]
    public void Release_FirstWaiterCancelled_SecondWaiterDoesNotHang()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(0);
            var t1 = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            var t2 = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            await Yield();

            t1.Cancel();
            sem.Release();
            await Yield();
            await Yield();
            Assert.True(sem.IsLocked);
            Assert.True(t2.IsDone);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire_no_hang (gh-90155): a waiter woken by a release and cancelled
    // before it runs gives its permit back, so the semaphore is not left broken.
    [Fact]
    public void Release_WokenWaiterCancelledBeforeItRuns_PermitRestoredNoHang()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(1);
            AioTask t2 = null!;

            async Coroutine C1()
            {
                await using (await sem.AcquireAsync())
                {
                    await Yield();
                }

                t2.Cancel();
            }

            async Coroutine C2()
            {
                await using (await sem.AcquireAsync())
                {
                    Assert.Fail("c2 must never get the permit");
                }
            }

            var t1 = Aio.CreateTask(C1());
            t2 = Aio.CreateTask(C2());
            var results = await Aio.Gather(new[] { t1, t2 }, returnExceptions: true);
            Assert.True(results[0].IsSuccess);
            Assert.True(results[1].IsCancelled);
            Assert.Equal(1, sem.CurrentCount);

            await Aio.WaitFor(sem.AcquireAsync().AsCoroutine(), 1.0);
            Assert.Equal(0.0, Aio.GetRunningLoop().Time());
        });
    }

    // Ours (asyncio's coroutines are cold: create_task(sem.acquire()) followed by cancel() never runs acquire(), so no
    // permit is taken).
    [Fact]
    public void AcquireAsync_TaskCancelledBeforeItsFirstStep_PermitIsNotTaken()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(1);
            var task = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            task.Cancel();
            await ThrowsAsync<CancelledError>(async () => await task);
            Assert.Equal(1, sem.CurrentCount);
            Assert.False(sem.IsLocked);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_release_not_acquired
    [Fact]
    public void BoundedRelease_NotAcquired_ThrowsSemaphoreFullSayingTooManyTimes()
    {
        var sem = new AsyncBoundedSemaphore();
        Throws<SemaphoreFullException>(sem.Release, "released too many times");
        Assert.Equal(1, sem.CurrentCount);
    }

    // Ours (bad input): a bounded semaphore released more often than acquired, after some use.
    [Fact]
    public void BoundedRelease_OneTooMany_ThrowsAndKeepsTheBound()
    {
        RunAio(async () =>
        {
            var sem = new AsyncBoundedSemaphore(2);
            await sem.AcquireAsync();
            await sem.AcquireAsync();
            sem.Release();
            sem.Release();
            Assert.Equal(2, sem.CurrentCount);
            Throws<SemaphoreFullException>(sem.Release, "BoundedSemaphore released too many times");
            Assert.Equal(2, sem.CurrentCount);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_release_no_waiters
    [Fact]
    public void Release_NoWaiters_Unlocks()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore();
            await sem.AcquireAsync();
            Assert.True(sem.IsLocked);
            sem.Release();
            Assert.False(sem.IsLocked);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire_fifo_order
    [Fact]
    public void AcquireAsync_ThreeTasksTwice_ServedInArrivalOrder()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(1);
            var result = new List<string>();

            async Coroutine Coro(string tag)
            {
                await sem.AcquireAsync();
                result.Add($"{tag}_1");
                await Aio.Sleep(0.01);
                sem.Release();

                await sem.AcquireAsync();
                result.Add($"{tag}_2");
                await Aio.Sleep(0.01);
                sem.Release();
            }

            await TaskGroup.RunAsync(async tg =>
            {
                _ = tg.CreateTask(Coro("c1"));
                _ = tg.CreateTask(Coro("c2"));
                _ = tg.CreateTask(Coro("c3"));
            });

            Assert.Equal(["c1_1", "c2_1", "c3_1", "c1_2", "c2_2", "c3_2"], result);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire_fifo_order_2
    [Fact]
    public void AcquireAsync_ReleaseAndReacquireWhileOthersWait_GoesToTheBackOfTheLine()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(1);
            var result = new List<int>();

            async Coroutine<bool> C1()
            {
                await sem.AcquireAsync();
                result.Add(1);
                return true;
            }

            async Coroutine<bool> C2()
            {
                await sem.AcquireAsync();
                result.Add(2);
                sem.Release();
                await sem.AcquireAsync();
                result.Add(4);
                return true;
            }

            async Coroutine<bool> C3()
            {
                await sem.AcquireAsync();
                result.Add(3);
                return true;
            }

            var t1 = Aio.CreateTask(C1());
            var t2 = Aio.CreateTask(C2());
            var t3 = Aio.CreateTask(C3());
            await Yield();

            sem.Release();
            sem.Release();

            await Aio.Gather(new[] { t1, t2, t3 });
            Assert.Equal([1, 2, 3, 4], result);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire_fifo_order_3
    [Fact]
    public void AcquireAsync_FirstWaiterCancelled_RemainingWaitersServedInOrder()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(0);
            var result = new List<int>();

            async Coroutine<bool> C(int n)
            {
                await sem.AcquireAsync();
                result.Add(n);
                return true;
            }

            var t1 = Aio.CreateTask(C(1));
            var t2 = Aio.CreateTask(C(2));
            var t3 = Aio.CreateTask(C(3));
            await Yield();

            t1.Cancel();
            await Yield();

            sem.Release();
            sem.Release();

            await Aio.Gather(new[] { t1, t2, t3 }, returnExceptions: true);
            Assert.Equal([2, 3], result);
        });
    }

    // CPython: test_locks.py SemaphoreTests.test_acquire_fifo_order_4 (3.13): a successful acquire wakes as many further
    // waiters as the value allows, which queued behind it because of FIFO.
    [Fact]
    public void AcquireAsync_WokenWaiterFindsSpareValue_WakesFurtherQueuedWaiters()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(0);
            var result = new List<int>();
            AioTask<bool>? t4 = null;

            async Coroutine<bool> C4()
            {
                result.Add(4);
                return true;
            }

            async Coroutine<bool> C1()
            {
                // The first task waits at once; c2 wakes it.
                Assert.Equal(0, sem.CurrentCount);
                await sem.AcquireAsync();
                // It must have woken every waiting task by now.
                Assert.Equal(0, sem.CurrentCount);
                // A fourth task: it must run after c3, not before c2.
                t4 = Aio.CreateTask(C4());
                result.Add(1);
                return true;
            }

            async Coroutine<bool> C2()
            {
                // Releases three times: for c1, c2 and c3.
                sem.Release();
                sem.Release();
                sem.Release();
                Assert.Equal(2, sem.CurrentCount);
                // Locked, because c1 has not woken up yet.
                Assert.True(sem.IsLocked);
                await sem.AcquireAsync();
                result.Add(2);
                return true;
            }

            async Coroutine<bool> C3()
            {
                await sem.AcquireAsync();
                Assert.True(sem.IsLocked);
                result.Add(3);
                return true;
            }

            var t1 = Aio.CreateTask(C1());
            var t2 = Aio.CreateTask(C2());
            var t3 = Aio.CreateTask(C3());

            await Yield();
            // Three tasks are in the queue (c1 woken but not run yet).
            Assert.Equal(2, sem.CurrentCount);
            await Yield();

            Assert.NotNull(t4);
            await Aio.Gather(new[] { t1, t2, t3, t4! });
            Assert.Equal([1, 2, 3, 4], result);
        });
    }

    // CPython: test_pep492.py LockTests.test_context_manager_async_with (Semaphore and BoundedSemaphore)
    [Fact]
    public void AwaitUsing_HoldsThePermitForTheBlock()
    {
        RunAio(async () =>
        {
            foreach (AsyncSemaphore sem in new[] { new AsyncSemaphore(), new AsyncBoundedSemaphore() })
            {
                await Aio.Sleep(0.01);
                Assert.False(sem.IsLocked);
                await using (await sem.AcquireAsync())
                {
                    Assert.True(sem.IsLocked);
                    await Aio.Sleep(0.01);
                    Assert.True(sem.IsLocked);
                }

                Assert.False(sem.IsLocked);
            }
        });
    }

    // Ours (3.13 locks.py Semaphore.locked): FIFO: while a task waits, a newcomer queues even if a permit is free.
    [Fact]
    public void IsLocked_PermitFreeButWokenWaiterNotRunYet_TrueAndNewcomerQueues()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(1);
            var order = new List<string>();
            await sem.AcquireAsync();

            async Coroutine W(string name)
            {
                await sem.AcquireAsync();
                order.Add(name);
                sem.Release();
            }

            var a = Aio.CreateTask(W("a"));
            await Yield();
            sem.Release();   // the permit travels with a's wake-up
            sem.Release();   // and one more is free: value 1
            Assert.Equal(1, sem.CurrentCount);
            Assert.True(sem.IsLocked);   // a has been woken but has not run: FIFO forbids barging
            var acquire = sem.AcquireAsync().GetAwaiter();
            Assert.False(acquire.IsCompleted);
            await new SemaphoreAwaiterBox(acquire);
            order.Add("main");
            await a;
            Assert.Equal(["a", "main"], order);
        });
    }

    // Ours (mixins._LoopBoundMixin): a semaphore that waited on one loop refuses to wait on another.
    [Fact]
    public void AcquireAsync_SemaphoreBoundToAnotherLoop_ThrowsBoundToADifferentLoop()
    {
        var sem = new AsyncSemaphore(0);
        using (var other = NewLoop())
        {
            other.RunUntilComplete(Bind(sem));
        }

        RunAio(async () =>
        {
            var e = await ThrowsAnyAsync<InvalidOperationException>(async () => await sem.AcquireAsync());
            Assert.Contains("bound to a different event loop", e.Message);
            Assert.Equal(0, sem.CurrentCount);
        });

        static async Coroutine Bind(AsyncSemaphore s)
        {
            var t = Aio.CreateTask(s.AcquireAsync().AsCoroutine());
            await Yield();
            s.Release();
            await t;
        }
    }

    // ------------------------------------------------------------------ CancellationToken (ours)

    // Ours: a token cancelled while waiting ends that wait with OperationCanceledException carrying it; the permit order
    // of the other waiters is kept and no permit is lost.
    [Fact]
    public void AcquireAsync_TokenCancelledWhileWaiting_ThrowsOceWithThatTokenAndKeepsFifo()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(0);
            using var cts = new CancellationTokenSource();
            var order = new List<string>();

            async Coroutine W(string name, CancellationToken token)
            {
                await sem.AcquireAsync(token);
                order.Add(name);
            }

            var a = Aio.CreateTask(W("a", default));
            var b = Aio.CreateTask(W("b", cts.Token));
            var c = Aio.CreateTask(W("c", default));
            await Yield();
            Assert.Equal(3, Waiters(sem));

            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await b);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(2, Waiters(sem));

            sem.Release();
            sem.Release();
            await a;
            await c;
            Assert.Equal(["a", "c"], order);
            Assert.Equal(0, sem.CurrentCount);
            sem.Release();
            Assert.True(sem.AcquireAsync().GetAwaiter().IsCompleted);
        });
    }

    // Ours: a token cancelled after the waiter was handed a permit (woken, not yet run) does not lose the permit.
    [Fact]
    public void AcquireAsync_TokenCancelledAfterWakeUp_PermitNotLost()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(0);
            using var cts = new CancellationTokenSource();
            var a = Aio.CreateTask(sem.AcquireAsync(cts.Token).AsCoroutine());
            var b = Aio.CreateTask(sem.AcquireAsync().AsCoroutine());
            await Yield();
            sem.Release();   // a is handed the permit
            cts.Cancel();    // then its token is cancelled, before it runs
            try
            {
                await a;     // it may take the permit (the wait was over) or fail and pass the permit on
            }
            catch (OperationCanceledException)
            {
            }

            if (a.IsCompletedSuccessfully)
            {
                sem.Release();
            }

            await Aio.WaitFor(b, 1.0);
            Assert.Equal(0, sem.CurrentCount);
            Assert.Equal(0, Waiters(sem));
        });
    }

    // Ours: an already-cancelled token on a semaphore without a free permit fails without waiting.
    [Fact]
    public void AcquireAsync_TokenAlreadyCancelledNoPermit_ThrowsAtOnceLeavingNoWaiter()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(0);
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await sem.AcquireAsync(cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
            Assert.Equal(0, Waiters(sem));
            sem.Release();
            Assert.Equal(1, sem.CurrentCount);
            Assert.False(sem.IsLocked);
        });
    }

    // Ours (.NET convention, as SemaphoreSlim.WaitAsync): an already-cancelled token fails at once even with a free
    // permit, and the permit is not taken.
    [Fact]
    public void AcquireAsync_TokenAlreadyCancelledPermitFree_ThrowsAndTakesNoPermit()
    {
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(1);
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await sem.AcquireAsync(cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
            Assert.Equal(1, sem.CurrentCount);
        });
    }

    // ------------------------------------------------------------------ allocation (ours)

    // Ours: an uncontended acquire/release allocates nothing once warm.
    [Fact]
    public void AcquireRelease_Uncontended_AllocatesNothing()
    {
        long allocated = -1;
        RunAio(async () =>
        {
            var sem = new AsyncSemaphore(2);
            var bounded = new AsyncBoundedSemaphore(1);
            for (int round = 0; round < 2; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < AllocationRounds; i++)
                {
                    await using (await sem.AcquireAsync())
                    {
                    }

                    await using (await bounded.AcquireAsync())
                    {
                    }
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            Assert.Equal(2, sem.CurrentCount);
        });
        Assert.Equal(0, allocated);
    }
}
