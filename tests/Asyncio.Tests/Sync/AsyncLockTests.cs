using static Asyncio.Tests.LoopRun;
using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Sync;

/// <summary>
/// Ports of CPython's <c>test_locks.py</c> <c>LockTests</c> and <c>test_pep492.py</c> <c>LockTests</c> to
/// <see cref="AsyncLock"/>, plus its cancellation-token, allocation and bad-input contracts.
/// </summary>
public sealed class AsyncLockTests
{
    // CPython: test_locks.py LockTests.test_repr
    [Fact]
    public void ToString_ShowsLockedStateAndWaiters()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            Assert.Contains("[unlocked]", lk.ToString());
            await lk.AcquireAsync();
            Assert.Contains("[locked]", lk.ToString());
            var t = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            await Yield();
            Assert.Equal(1, Waiters(lk));
            lk.Release();
            await t;
            Assert.Equal(0, Waiters(lk));
        });
    }

    // CPython: test_locks.py LockTests.test_lock, test_lock_by_with_statement; test_pep492.py LockTests.test_context_manager_with_await
    // ("object Lock can't be used in 'await' expression"): in C# that is a compile-time error as long as the primitives
    // have no GetAwaiter; this keeps it so.
    [Fact]
    public void Primitives_AreNotAwaitableThemselves_NoGetAwaiter()
    {
        foreach (Type type in new[] { typeof(AsyncLock), typeof(AsyncCondition), typeof(AsyncSemaphore), typeof(AsyncBoundedSemaphore), typeof(AsyncEvent), typeof(AsyncBarrier) })
        {
            Assert.Null(type.GetMethod("GetAwaiter"));
        }
    }

    // CPython: test_locks.py LockTests.test_lock_doesnt_accept_loop_parameter: primitives bind to the running loop, no loop= argument.
    [Fact]
    public void Constructors_TakeNoLoopParameter()
    {
        foreach (Type type in new[] { typeof(AsyncLock), typeof(AsyncCondition), typeof(AsyncSemaphore), typeof(AsyncBoundedSemaphore), typeof(AsyncEvent), typeof(AsyncBarrier), typeof(AsyncQueue<int>) })
        {
            foreach (var ctor in type.GetConstructors())
            {
                Assert.DoesNotContain(ctor.GetParameters(), p => p.ParameterType == typeof(EventLoop));
            }
        }
    }

    // CPython: test_locks.py LockTests.test_acquire
    [Fact]
    public void AcquireAsync_ThreeWaiters_GetTheLockInFifoOrderOnePerRelease()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            var result = new List<int>();
            await lk.AcquireAsync();
            Assert.True(lk.IsLocked);

            async Coroutine<bool> C(int n)
            {
                await lk.AcquireAsync();
                result.Add(n);
                return true;
            }

            var t1 = Aio.CreateTask(C(1));
            var t2 = Aio.CreateTask(C(2));
            await Yield();
            Assert.Empty(result);

            lk.Release();
            await Yield();
            Assert.Equal([1], result);

            await Yield();
            Assert.Equal([1], result);

            var t3 = Aio.CreateTask(C(3));
            lk.Release();
            await Yield();
            Assert.Equal([1, 2], result);

            lk.Release();
            await Yield();
            Assert.Equal([1, 2, 3], result);

            Assert.True(t1.IsDone && t1.Result);
            Assert.True(t2.IsDone && t2.Result);
            Assert.True(t3.IsDone && t3.Result);
        });
    }

    // CPython: test_locks.py LockTests.test_acquire_cancel
    [Fact]
    public void AcquireAsync_CancelledWhileWaiting_ThrowsCancelledErrorAndLeavesNoWaiter()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            await lk.AcquireAsync();
            var task = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            Aio.GetRunningLoop().CallSoon(() => task.Cancel());
            await ThrowsAsync<CancelledError>(async () => await task);
            Assert.Equal(0, lk.WaitingCount);
            Assert.True(lk.IsLocked);
        });
    }

    // CPython: test_locks.py LockTests.test_cancel_race
    [Fact]
    public void Release_FirstWaiterCancelledAtTheSameTime_NextWaiterGetsTheLock()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();

            async Coroutine LockIt(Future<bool>? blocker)
            {
                await lk.AcquireAsync();
                try
                {
                    if (blocker is not null)
                    {
                        await blocker;
                    }
                }
                finally
                {
                    lk.Release();
                }
            }

            var fa = Aio.GetRunningLoop().CreateFuture<bool>();
            var ta = Aio.CreateTask(LockIt(fa));
            await Yield();
            Assert.True(lk.IsLocked);
            var tb = Aio.CreateTask(LockIt(null));
            await Yield();
            Assert.Equal(1, lk.WaitingCount);
            var tc = Aio.CreateTask(LockIt(null));
            await Yield();
            Assert.Equal(2, lk.WaitingCount);

            // Create the race: A releases while B's wait is being cancelled.
            fa.SetResult(true);
            tb.Cancel();
            await Yield();
            Assert.False(lk.IsLocked);
            Assert.True(ta.IsDone);
            Assert.True(tb.IsCancelled);
            await tc;
            Assert.True(tc.IsCompletedSuccessfully);
            Assert.False(lk.IsLocked);
        });
    }

    // CPython: test_locks.py LockTests.test_cancel_release_race (bpo-32734)
    [Fact]
    public void Release_SameCallbackCancelsFirstWaiter_OnlyOneWaiterTakesTheLock()
    {
        RunAio(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var lk = new AsyncLock();
            int lockCount = 0, callCount = 0;

            async Coroutine LockIt()
            {
                callCount++;
                await lk.AcquireAsync();
                lockCount++;
            }

            await lk.AcquireAsync();
            var t1 = Aio.CreateTask(LockIt());
            var t2 = Aio.CreateTask(LockIt());
            var t3 = Aio.CreateTask(LockIt());
            await Yield();   // start them

            loop.CallSoon(() =>
            {
                t1.Cancel();
                lk.Release();
            });
            await ThrowsAsync<CancelledError>(async () => await t1);

            Assert.Equal(1, lockCount);
            Assert.Equal(3, callCount);
            Assert.True(t1.IsCancelled && t2.IsDone);

            t3.Cancel();
            await Yield();
            Assert.True(t3.IsCancelled);
        });
    }

    // CPython: test_locks.py LockTests.test_finished_waiter_cancelled
    [Fact]
    public void Release_WokenWaiterCancelled_NewcomerGetsTheLock()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            await lk.AcquireAsync();
            Assert.True(lk.IsLocked);

            var tb = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            await Yield();
            Assert.Equal(1, lk.WaitingCount);

            // A second waiter, then wake the first and cancel it: the second must not be left waiting.
            var tc = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            tb.Cancel();
            lk.Release();
            await Yield();

            Assert.True(lk.IsLocked);
            Assert.True(tb.IsCancelled);
            await tc;
        });
    }

    // CPython: locks.py Lock.acquire ("a cancelled waiter that was already woken passes the wake-up on"): the woken
    // waiter is cancelled before it runs; the next waiter must get the lock, not hang.
    [Fact]
    public void Release_WokenWaiterCancelledBeforeItRuns_PassesTheWakeUpToTheNextWaiter()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            var order = new List<string>();
            await lk.AcquireAsync();

            async Coroutine W(string name)
            {
                await lk.AcquireAsync();
                order.Add(name);
                lk.Release();
            }

            var tb = Aio.CreateTask(W("b"));
            var tc = Aio.CreateTask(W("c"));
            await Yield();
            Assert.Equal(2, lk.WaitingCount);

            lk.Release();      // wakes b
            tb.Cancel();       // b is cancelled after its wake-up, before it runs
            await ThrowsAsync<CancelledError>(async () => await tb);
            await tc;
            Assert.Equal(["c"], order);
            Assert.False(lk.IsLocked);
            Assert.Equal(0, lk.WaitingCount);
        });
    }

    // CPython: locks.py Lock.acquire fairness: "the fast path is taken only if the lock is unlocked and there are no
    // waiters": while a woken waiter has not run yet, a newcomer must queue behind it.
    [Fact]
    public void AcquireAsync_NewcomerWhileWokenWaiterHasNotRun_QueuesBehindIt()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            var order = new List<string>();
            await lk.AcquireAsync();

            async Coroutine W(string name)
            {
                await lk.AcquireAsync();
                order.Add(name);
                await Yield();
                lk.Release();
            }

            var first = Aio.CreateTask(W("first"));
            await Yield();
            lk.Release();                       // wakes "first"; the lock stays free until it runs
            Assert.False(lk.IsLocked);
            var acquire = lk.AcquireAsync().GetAwaiter();    // main tries to barge in right now: it must wait its turn
            Assert.False(acquire.IsCompleted);
            await new LockAwaiterBox(acquire);
            order.Add("main");
            lk.Release();
            await first;
            Assert.Equal(["first", "main"], order);
        });
    }

    // CPython: locks.py Lock.acquire: "Jumping the queue if all are cancelled is an optimization": when every waiter was
    // cancelled, an acquire on a free lock takes it at once.
    [Fact]
    public void AcquireAsync_AllWaitersCancelledAndLockFree_TakesTheFastPath()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            await lk.AcquireAsync();
            var t1 = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            var t2 = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            await Yield();
            t1.Cancel();
            t2.Cancel();
            lk.Release();
            var acquire = lk.AcquireAsync().GetAwaiter();
            Assert.True(acquire.IsCompleted);
            await new LockAwaiterBox(acquire);
            Assert.True(lk.IsLocked);
            await ThrowsAsync<CancelledError>(async () => await t1);
            await ThrowsAsync<CancelledError>(async () => await t2);
            Assert.True(lk.IsLocked);
            lk.Release();
        });
    }

    // Ours (asyncio's coroutines are cold: create_task(lock.acquire()) followed by cancel() never runs acquire(), so
    // the lock is never taken). Adapted from test_locks.py LockTests.test_acquire_cancel.
    [Fact]
    public void AcquireAsync_TaskCancelledBeforeItsFirstStep_LockIsNotTaken()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            var task = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            task.Cancel();
            await ThrowsAsync<CancelledError>(async () => await task);
            Assert.False(lk.IsLocked, "a task cancelled before it ran left the lock locked, and nobody holds its releaser");
        });
    }

    // CPython: locks.py Lock docstring ("not owned by a particular task"): any task may release it.
    [Fact]
    public void Release_ByAnotherTask_UnlocksAndWakesTheNextWaiter()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            await lk.AcquireAsync();
            var waiter = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            await Yield();
            var releaser = Aio.CreateTask(async () => lk.Release());
            await releaser;
            await waiter;
            Assert.True(lk.IsLocked);   // now held by `waiter`
        });
    }

    // Ours (WaitQueue compaction): many waiters, most of them cancelled: the rest still get the lock in arrival order.
    [Fact]
    public void Release_ManyWaitersMostCancelled_RemainingOnesServedInArrivalOrder()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            var order = new List<int>();
            await lk.AcquireAsync();

            async Coroutine W(int id)
            {
                await lk.AcquireAsync();
                order.Add(id);
                lk.Release();
            }

            var tasks = Enumerable.Range(0, 100).Select(i => Aio.CreateTask(W(i))).ToList();
            await Yield();
            Assert.Equal(100, lk.WaitingCount);
            for (int i = 0; i < 100; i++)
            {
                if (i % 10 != 3)
                {
                    tasks[i].Cancel();
                }
            }

            await Yield(2);
            Assert.Equal(10, lk.WaitingCount);
            lk.Release();
            await Aio.Gather(tasks, returnExceptions: true);
            Assert.Equal(Enumerable.Range(0, 10).Select(k => (k * 10) + 3), order);
            Assert.False(lk.IsLocked);
        });
    }

    // CPython: test_locks.py LockTests.test_release_not_acquired
    [Fact]
    public void Release_NotAcquired_ThrowsInvalidOperationSayingSo()
    {
        var lk = new AsyncLock();
        Throws<InvalidOperationException>(lk.Release, "not acquired");
        Assert.False(lk.IsLocked);
    }

    // CPython: test_locks.py LockTests.test_release_no_waiters
    [Fact]
    public void Release_NoWaiters_Unlocks()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            await lk.AcquireAsync();
            Assert.True(lk.IsLocked);
            lk.Release();
            Assert.False(lk.IsLocked);
        });
    }

    // CPython: test_locks.py LockTests.test_context_manager; test_pep492.py LockTests.test_context_manager_async_with
    [Fact]
    public void AwaitUsing_HoldsTheLockForTheBlockAcrossAwaits()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            await Aio.Sleep(0.01);
            Assert.False(lk.IsLocked);
            await using (await lk.AcquireAsync())
            {
                Assert.True(lk.IsLocked);
                await Aio.Sleep(0.01);
                Assert.True(lk.IsLocked);
            }

            Assert.False(lk.IsLocked);
        });
    }

    // CPython: test_locks.py ConditionTests.test_ambiguous_loops (wrong_loop_in_lock) / mixins._LoopBoundMixin: a lock
    // that waited on one loop refuses to wait on another.
    [Fact]
    public void AcquireAsync_LockBoundToAnotherLoop_ThrowsBoundToADifferentLoop()
    {
        var lk = new AsyncLock();
        using (var other = NewLoop())
        {
            other.RunUntilComplete(BindToLoop(lk));
        }

        RunAio(async () =>
        {
            await lk.AcquireAsync();   // the fast path does not touch any loop
            var cond = new AsyncCondition(lk);
            var e = await ThrowsAnyAsync<InvalidOperationException>(async () => await cond.AcquireAsync());
            Assert.Contains("bound to a different event loop", e.Message);
            Assert.True(lk.IsLocked);
            lk.Release();
        });

        static async Coroutine BindToLoop(AsyncLock lk)
        {
            await lk.AcquireAsync();
            var waiter = Aio.CreateTask(lk.AcquireAsync().AsCoroutine());
            await Yield();
            lk.Release();
            await waiter;
            lk.Release();
        }
    }

    // ------------------------------------------------------------------ CancellationToken (ours)

    // Ours: a token cancelled while waiting ends the wait with OperationCanceledException carrying that token.
    [Fact]
    public void AcquireAsync_TokenCancelledWhileWaiting_ThrowsOceWithThatTokenAndKeepsFifo()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            var order = new List<string>();
            using var cts = new CancellationTokenSource();
            await lk.AcquireAsync();

            async Coroutine W(string name, CancellationToken token)
            {
                await lk.AcquireAsync(token);
                order.Add(name);
                lk.Release();
            }

            var a = Aio.CreateTask(W("a", default));
            var b = Aio.CreateTask(W("b", cts.Token));
            var c = Aio.CreateTask(W("c", default));
            await Yield();
            Assert.Equal(3, lk.WaitingCount);

            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await b);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.False(b.IsCancelled);   // a token's cancellation is a failure of the task, not the task being cancelled
            Assert.Equal(2, lk.WaitingCount);
            Assert.True(lk.IsLocked);

            lk.Release();
            await a;
            await c;
            Assert.Equal(["a", "c"], order);
            Assert.False(lk.IsLocked);
            await using (await lk.AcquireAsync())
            {
                Assert.True(lk.IsLocked);
            }
        });
    }

    // Ours: an already-cancelled token on a held lock fails without waiting and leaves no waiter behind.
    [Fact]
    public void AcquireAsync_TokenAlreadyCancelledLockHeld_ThrowsAtOnceWithoutWaiting()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            await lk.AcquireAsync();
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await lk.AcquireAsync(cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
            Assert.Equal(0, lk.WaitingCount);
            Assert.True(lk.IsLocked);
            lk.Release();
            Assert.False(lk.IsLocked);
            Assert.True(lk.AcquireAsync().GetAwaiter().IsCompleted);
        });
    }

    // Ours (.NET convention, as SemaphoreSlim.WaitAsync and ChannelReader.ReadAsync): an already-cancelled token fails
    // at once even when the lock is free, and the lock is not taken.
    [Fact]
    public void AcquireAsync_TokenAlreadyCancelledLockFree_ThrowsAndDoesNotTakeTheLock()
    {
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await lk.AcquireAsync(cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
            Assert.False(lk.IsLocked);
        });
    }

    // ------------------------------------------------------------------ allocation (ours)

    // Ours: an uncontended acquire/release allocates nothing once warm (AcquireAsync returns a ValueCoroutine).
    [Fact]
    public void AcquireRelease_Uncontended_AllocatesNothing()
    {
        long allocated = -1;
        RunAio(async () =>
        {
            var lk = new AsyncLock();
            for (int round = 0; round < 2; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < AllocationRounds; i++)
                {
                    await using (await lk.AcquireAsync())
                    {
                    }
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            Assert.False(lk.IsLocked);
        });
        Assert.Equal(0, allocated);
    }
}
