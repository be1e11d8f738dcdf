using static Asyncio.Tests.LoopRun;
using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Sync;

/// <summary>
/// Ports of CPython's <c>test_locks.py</c> <c>ConditionTests</c> to <see cref="AsyncCondition"/> (3.13 semantics: the
/// lock is always re-acquired, the latest CancelledError instance is re-raised, a notification is never lost), plus its
/// cancellation-token and bad-input contracts.
/// </summary>
public sealed class AsyncConditionTests
{
    // CPython: test_locks.py ConditionTests.test_wait
    [Fact]
    public void WaitAsync_Notified_ReturnsOnlyOnceItHoldsTheLockAgain()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            var result = new List<int>();

            async Coroutine<bool> C(int n)
            {
                await cond.AcquireAsync();
                if (await cond.WaitAsync())
                {
                    result.Add(n);
                }

                return true;
            }

            var t1 = Aio.CreateTask(C(1));
            var t2 = Aio.CreateTask(C(2));
            var t3 = Aio.CreateTask(C(3));
            await Yield();
            Assert.Empty(result);
            Assert.False(cond.IsLocked);

            await cond.AcquireAsync();
            cond.Notify();
            await Yield();
            Assert.Empty(result);
            Assert.True(cond.IsLocked);

            cond.Release();
            await Yield();
            Assert.Equal([1], result);
            Assert.True(cond.IsLocked);

            cond.Notify(2);
            await Yield();
            Assert.Equal([1], result);
            Assert.True(cond.IsLocked);

            cond.Release();
            await Yield();
            Assert.Equal([1, 2], result);
            Assert.True(cond.IsLocked);

            cond.Release();
            await Yield();
            Assert.Equal([1, 2, 3], result);
            Assert.True(cond.IsLocked);

            Assert.True(t1.IsDone && t1.Result);
            Assert.True(t2.IsDone && t2.Result);
            Assert.True(t3.IsDone && t3.Result);
        });
    }

    // CPython: test_locks.py ConditionTests.test_wait_cancel
    [Fact]
    public void WaitAsync_Cancelled_ThrowsCancelledErrorLeavesNoWaiterAndHoldsTheLock()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            await cond.AcquireAsync();
            var wait = Aio.CreateTask(cond.WaitAsync());
            Aio.GetRunningLoop().CallSoon(() => wait.Cancel());
            await ThrowsAsync<CancelledError>(async () => await wait);
            Assert.Equal(0, Waiters(cond));
            Assert.True(cond.IsLocked);
        });
    }

    // CPython: test_locks.py ConditionTests.test_wait_cancel_contested
    [Fact]
    public void WaitAsync_CancelledWhileReacquiringContestedLock_EndsHoldingTheLock()
    {
        RunAio(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var cond = new AsyncCondition();
            await cond.AcquireAsync();
            Assert.True(cond.IsLocked);

            var waitTask = Aio.CreateTask(cond.WaitAsync());
            await Yield();
            Assert.False(cond.IsLocked);

            // Notify, but contest the lock before cancelling.
            await cond.AcquireAsync();
            Assert.True(cond.IsLocked);
            cond.Notify();
            loop.CallSoon(() => waitTask.Cancel());
            loop.CallSoon(cond.Release);

            try
            {
                await waitTask;
            }
            catch (CancelledError)
            {
                // CPython: "Should not happen, since no cancellation points" - tolerated there too.
            }

            Assert.True(cond.IsLocked);
        });
    }

    // CPython: test_locks.py ConditionTests.test_wait_cancel_after_notify (bpo-32841)
    [Fact]
    public void WaitAsync_CancelledAfterNotifyWhileLockHeld_TaskEndsCancelled()
    {
        RunAio(async () =>
        {
            bool waited = false;
            var cond = new AsyncCondition();

            async Coroutine WaitOnCond()
            {
                await using (await cond.AcquireAsync())
                {
                    waited = true;   // make sure this area was reached
                    await cond.WaitAsync();
                }
            }

            var waiter = Aio.CreateTask(WaitOnCond());
            await Yield();   // start waiting

            await cond.AcquireAsync();
            cond.Notify();
            await Yield();   // get to the re-acquire
            waiter.Cancel();
            await Yield();   // activate the cancellation
            cond.Release();
            await Yield();   // the cancellation happens

            Assert.True(waiter.IsCancelled);
            Assert.True(waited);
        });
    }

    // CPython: test_locks.py ConditionTests.test_wait_unacquired
    [Fact]
    public void WaitAsync_LockNotHeld_ThrowsInvalidOperation()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            var e = await ThrowsAsync<InvalidOperationException>(async () => await cond.WaitAsync());
            Assert.Contains("un-acquired", e.Message);
            Assert.False(cond.IsLocked);
        });
    }

    // CPython: test_locks.py ConditionTests.test_wait_for
    [Fact]
    public void WaitForAsync_ReturnsOnlyOnceThePredicateHolds()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            bool presult = false;
            var result = new List<int>();

            async Coroutine<bool> C1()
            {
                await cond.AcquireAsync();
                if (await cond.WaitForAsync(() => presult))
                {
                    result.Add(1);
                    cond.Release();
                }

                return true;
            }

            var t = Aio.CreateTask(C1());
            await Yield();
            Assert.Empty(result);

            await cond.AcquireAsync();
            cond.Notify();
            cond.Release();
            await Yield();
            Assert.Empty(result);

            presult = true;
            await cond.AcquireAsync();
            cond.Notify();
            cond.Release();
            await Yield();
            Assert.Equal([1], result);

            Assert.True(t.IsDone);
            Assert.True(t.Result);
        });
    }

    // CPython: test_locks.py ConditionTests.test_wait_for_unacquired
    [Fact]
    public void WaitForAsync_PredicateAlreadyTrue_ReturnsWithoutTheLockOtherwiseThrows()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            Assert.True(await cond.WaitForAsync(() => true));   // the predicate can be true at once: no lock needed
            Assert.False(cond.IsLocked);
            await ThrowsAsync<InvalidOperationException>(async () => await cond.WaitForAsync(() => false));
            Assert.False(cond.IsLocked);
        });
    }

    // CPython: test_locks.py ConditionTests.test_notify
    [Fact]
    public void Notify_N_WakesUpToNWaitersInFifoOrder()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            var result = new List<int>();

            async Coroutine<bool> C(int n)
            {
                await cond.AcquireAsync();
                if (await cond.WaitAsync())
                {
                    result.Add(n);
                    cond.Release();
                }

                return true;
            }

            var t1 = Aio.CreateTask(C(1));
            var t2 = Aio.CreateTask(C(2));
            var t3 = Aio.CreateTask(C(3));
            await Yield();
            Assert.Empty(result);

            await cond.AcquireAsync();
            cond.Notify(1);
            cond.Release();
            await Yield();
            Assert.Equal([1], result);

            await cond.AcquireAsync();
            cond.Notify(1);
            cond.Notify(2048);
            cond.Release();
            await Yield();
            Assert.Equal([1, 2, 3], result);

            Assert.True(t1.IsDone && t1.Result);
            Assert.True(t2.IsDone && t2.Result);
            Assert.True(t3.IsDone && t3.Result);
        });
    }

    // CPython: test_locks.py ConditionTests.test_notify_all
    [Fact]
    public void NotifyAll_WakesEveryWaiter()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            var result = new List<int>();

            async Coroutine<bool> C(int n)
            {
                await cond.AcquireAsync();
                if (await cond.WaitAsync())
                {
                    result.Add(n);
                    cond.Release();
                }

                return true;
            }

            var t1 = Aio.CreateTask(C(1));
            var t2 = Aio.CreateTask(C(2));
            await Yield();
            Assert.Empty(result);

            await cond.AcquireAsync();
            cond.NotifyAll();
            cond.Release();
            await Yield();
            Assert.Equal([1, 2], result);

            Assert.True(t1.IsDone && t1.Result);
            Assert.True(t2.IsDone && t2.Result);
        });
    }

    // CPython: test_locks.py ConditionTests.test_notify_unacquired
    [Fact]
    public void Notify_LockNotHeld_ThrowsInvalidOperationSayingSo()
    {
        var cond = new AsyncCondition();
        Throws<InvalidOperationException>(() => cond.Notify(), "un-acquired");
    }

    // CPython: test_locks.py ConditionTests.test_notify_all_unacquired
    [Fact]
    public void NotifyAll_LockNotHeld_ThrowsInvalidOperationSayingSo()
    {
        var cond = new AsyncCondition();
        Throws<InvalidOperationException>(cond.NotifyAll, "un-acquired");
    }

    // Ours (bad input): notify(n) with a negative n.
    [Fact]
    public void Notify_NegativeCount_ThrowsArgumentOutOfRange()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            await cond.AcquireAsync();
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => cond.Notify(-1));
            Assert.Equal("n", e.ParamName);
            cond.Release();
        });
    }

    // CPython: test_locks.py ConditionTests.test_repr
    [Fact]
    public void ToString_ShowsLockStateAndWaiters()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            Assert.Contains("unlocked", cond.ToString());
            await cond.AcquireAsync();
            Assert.Contains("[locked]", cond.ToString());

            async Coroutine W()
            {
                await cond.AcquireAsync();
                await cond.WaitAsync();
                cond.Release();
            }

            cond.Release();
            var w1 = Aio.CreateTask(W());
            var w2 = Aio.CreateTask(W());
            await Yield();
            Assert.Equal(2, Waiters(cond));
            await cond.AcquireAsync();
            cond.NotifyAll();
            cond.Release();
            await w1;
            await w2;
            Assert.Equal(0, Waiters(cond));
        });
    }

    // CPython: test_locks.py ConditionTests.test_context_manager; test_pep492.py LockTests.test_context_manager_async_with
    [Fact]
    public void AwaitUsing_HoldsTheUnderlyingLockForTheBlock()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            await Aio.Sleep(0.01);
            Assert.False(cond.IsLocked);
            await using (await cond.AcquireAsync())
            {
                Assert.True(cond.IsLocked);
                await Aio.Sleep(0.01);
                Assert.True(cond.IsLocked);
            }

            Assert.False(cond.IsLocked);
        });
    }

    // CPython: test_locks.py ConditionTests.test_explicit_lock
    [Fact]
    public void Constructor_ExplicitLock_ConditionAndLockShareOneState()
    {
        RunAio(async () =>
        {
            async Coroutine F(AsyncLock? lk = null, AsyncCondition? cond = null)
            {
                lk ??= new AsyncLock();
                cond ??= new AsyncCondition(lk);
                Assert.Same(lk, cond.Lock);
                Assert.False(lk.IsLocked);
                Assert.False(cond.IsLocked);
                await using (await cond.AcquireAsync())
                {
                    Assert.True(lk.IsLocked);
                    Assert.True(cond.IsLocked);
                }

                Assert.False(lk.IsLocked);
                Assert.False(cond.IsLocked);
                await using (await lk.AcquireAsync())
                {
                    Assert.True(lk.IsLocked);
                    Assert.True(cond.IsLocked);
                }

                Assert.False(lk.IsLocked);
                Assert.False(cond.IsLocked);
            }

            // All should work in the same way.
            await F();
            await F(new AsyncLock());
            var shared = new AsyncLock();
            await F(shared, new AsyncCondition(shared));
        });
    }

    // CPython: test_locks.py ConditionTests.test_ambiguous_loops (wrong_loop_in_cond). In 3.13 wait() makes its future
    // (which binds the loop) before it releases the lock, so the RuntimeError leaves the lock held and `async with`
    // releases it normally.
    [Fact]
    public void WaitAsync_ConditionBoundToAnotherLoop_ThrowsAndTheLockStaysHeld()
    {
        var cond = new AsyncCondition();
        using (var other = NewLoop())
        {
            other.RunUntilComplete(BindToLoop(cond));
        }

        RunAio(async () =>
        {
            await cond.AcquireAsync();
            var e = await ThrowsAnyAsync<InvalidOperationException>(async () => await cond.WaitAsync());
            Assert.Contains("bound to a different event loop", e.Message);
            Assert.True(cond.IsLocked, "Condition.WaitAsync must not release the lock when it cannot wait on this loop");
            if (cond.IsLocked)
            {
                cond.Release();
            }
        });

        static async Coroutine BindToLoop(AsyncCondition c)
        {
            // One real wait in the condition, so that its wait queue binds to this loop.
            async Coroutine Waiter()
            {
                await using (await c.AcquireAsync())
                {
                    await c.WaitAsync();
                }
            }

            var w = Aio.CreateTask(Waiter());
            await Yield();
            await using (await c.AcquireAsync())
            {
                c.Notify();
            }

            await w;
        }
    }

    // CPython: test_locks.py ConditionTests.test_ambiguous_loops (wrong_loop_in_lock): the condition's lock is bound to
    // another loop; acquiring the condition has to wait on the lock and finds out.
    [Fact]
    public void AcquireAsync_ConditionLockBoundToAnotherLoop_ThrowsBoundToADifferentLoop()
    {
        var lk = new AsyncLock();
        using (var other = NewLoop())
        {
            other.RunUntilComplete(BindLock(lk));
        }

        RunAio(async () =>
        {
            await using (await lk.AcquireAsync())   // acquired through the fast path, without any loop
            {
                var cond = new AsyncCondition(lk);
                var e = await ThrowsAnyAsync<InvalidOperationException>(async () => await cond.AcquireAsync());
                Assert.Contains("bound to a different event loop", e.Message);
            }

            Assert.False(lk.IsLocked);
        });

        static async Coroutine BindLock(AsyncLock l)
        {
            // One real wait on the lock, so that its wait queue binds to this loop.
            await l.AcquireAsync();
            var waiter = Aio.CreateTask(l.AcquireAsync().AsCoroutine());
            await Yield();
            l.Release();
            await waiter;
            l.Release();
        }
    }

    // CPython: test_locks.py ConditionTests.test_timeout_in_block
    [Fact]
    public void WaitAsync_TimesOutInsideTheBlock_TimeoutAndTheLockIsHeldAgain()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            await using (await cond.AcquireAsync())
            {
                await ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(cond.WaitAsync(), 0.5));
                Assert.True(cond.IsLocked);
            }

            Assert.False(cond.IsLocked);
            Assert.Equal(0.5, Aio.GetRunningLoop().Time(), 6);
        });
    }

    // CPython: test_locks.py ConditionTests.test_cancelled_error_wakeup: the CancelledError received while waiting for the
    // notification comes out of wait_for unchanged (same instance, same message).
    [Fact]
    public void WaitForAsync_CancelledWhileWaiting_RethrowsTheSameCancelledErrorInstance()
    {
        RunAio(async () =>
        {
            bool wake = false;
            CancelledError? raised = null;
            var cond = new AsyncCondition();

            async Coroutine Func()
            {
                await using (await cond.AcquireAsync())
                {
                    raised = await ThrowsAsync<CancelledError>(async () => await cond.WaitForAsync(() => wake));
                    throw raised;
                }
            }

            var task = Aio.CreateTask(Func());
            await Yield();
            task.Cancel("foo");   // the task waits on the condition: cancel it there
            var err = await ThrowsAsync<CancelledError>(async () => await task);
            Assert.Equal("foo", err.CancelMessage);
            Assert.Same(raised, err);
        });
    }

    // CPython: test_locks.py ConditionTests.test_cancelled_error_re_aquire: the CancelledError received while re-acquiring
    // the lock comes out unchanged (same instance, same message).
    [Fact]
    public void WaitForAsync_CancelledWhileReacquiring_RethrowsTheSameCancelledErrorInstance()
    {
        RunAio(async () =>
        {
            bool wake = false;
            CancelledError? raised = null;
            var cond = new AsyncCondition();

            async Coroutine Func()
            {
                await using (await cond.AcquireAsync())
                {
                    raised = await ThrowsAsync<CancelledError>(async () => await cond.WaitForAsync(() => wake));
                    throw raised;
                }
            }

            var task = Aio.CreateTask(Func());
            await Yield();
            await cond.AcquireAsync();
            wake = true;
            cond.Notify();
            await Yield();
            task.Cancel("foo");   // the task is re-acquiring the lock: cancel it there
            cond.Release();
            var err = await ThrowsAsync<CancelledError>(async () => await task);
            Assert.Equal("foo", err.CancelMessage);
            Assert.Same(raised, err);
        });
    }

    // CPython: test_locks.py ConditionTests.test_cancelled_wakeup (gh-112202, 3.13): a task cancelled right after notify()
    // woke it must not swallow the notification: another waiter gets it.
    [Fact]
    public void Notify_WokenWaiterCancelledBeforeItRuns_NotificationGoesToAnotherWaiter()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            int state = 0;

            async Coroutine Consumer()
            {
                await using (await cond.AcquireAsync())
                {
                    while (true)
                    {
                        await cond.WaitForAsync(() => state != 0);
                        if (state < 0)
                        {
                            return;
                        }

                        state -= 1;
                    }
                }
            }

            var c = new[] { Aio.CreateTask(Consumer()), Aio.CreateTask(Consumer()) };
            await Yield();   // let them settle
            await using (await cond.AcquireAsync())
            {
                state += 1;
                cond.Notify(1);     // produce one item and wake up one consumer
                c[0].Cancel();      // cancel it while it waits to run

                // Wait for the item to be consumed; if the notification were lost it never would be.
                try
                {
                    await Aio.Timeout(0.01, async _ => await cond.WaitForAsync(() => state == 0));
                }
                catch (TimeoutException)
                {
                }

                Assert.Equal(0, state);

                state = -1;   // clean up
                cond.NotifyAll();
            }

            await c[1];
            Assert.True(c[0].IsCancelled);
        });
    }

    // CPython: test_locks.py ConditionTests.test_cancelled_wakeup_relock (gh-112202, 3.13): same, but the woken task is
    // cancelled while it re-acquires the lock.
    [Fact]
    public void Notify_WokenWaiterCancelledWhileReacquiring_NotificationGoesToAnotherWaiter()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            int state = 0;

            async Coroutine Consumer()
            {
                await using (await cond.AcquireAsync())
                {
                    while (true)
                    {
                        await cond.WaitForAsync(() => state != 0);
                        if (state < 0)
                        {
                            return;
                        }

                        state -= 1;
                    }
                }
            }

            var c = new[] { Aio.CreateTask(Consumer()), Aio.CreateTask(Consumer()) };
            await Yield();
            await using (await cond.AcquireAsync())
            {
                state += 1;
                cond.Notify(1);
                await Yield();      // the woken consumer settles on re-acquiring the lock
                c[0].Cancel();      // cancel it while it awaits the lock

                try
                {
                    await Aio.Timeout(0.01, async _ => await cond.WaitForAsync(() => state == 0));
                }
                catch (TimeoutException)
                {
                }

                Assert.Equal(0, state);

                state = -1;
                cond.NotifyAll();
            }

            await c[1];
            Assert.True(c[0].IsCancelled);
        });
    }

    // Ours (3.13 gh-112202, notify not lost): a woken waiter that fails to return normally hands its notification on, so
    // notify(1) to two waiters with the first cancelled still wakes exactly one live waiter.
    [Fact]
    public void Notify_One_FirstWaiterCancelledMeanwhile_SecondWaiterReturns()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            var woke = new List<string>();

            async Coroutine W(string name)
            {
                await using (await cond.AcquireAsync())
                {
                    await cond.WaitAsync();
                    woke.Add(name);
                }
            }

            var a = Aio.CreateTask(W("a"));
            var b = Aio.CreateTask(W("b"));
            var c = Aio.CreateTask(W("c"));
            await Yield();
            await using (await cond.AcquireAsync())
            {
                cond.Notify(1);
                a.Cancel();
            }

            await ThrowsAsync<CancelledError>(async () => await a);
            await Yield(3);
            Assert.Equal(["b"], woke);
            Assert.False(c.IsDone);
            c.Cancel();
            await ThrowsAsync<CancelledError>(async () => await c);
            Assert.False(cond.IsLocked);
        });
    }

    // ------------------------------------------------------------------ CancellationToken (ours)

    // Ours: a token cancelled while waiting for a notification ends the wait with OperationCanceledException carrying it,
    // the lock is held again, and the other waiters are unaffected.
    [Fact]
    public void WaitAsync_TokenCancelledWhileWaiting_ThrowsOceWithThatTokenHoldingTheLock()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            using var cts = new CancellationTokenSource();
            var woke = new List<string>();
            bool heldAfterOce = false;

            async Coroutine W(string name, CancellationToken token)
            {
                await using (await cond.AcquireAsync())
                {
                    try
                    {
                        await cond.WaitAsync(token);
                    }
                    catch (OperationCanceledException)
                    {
                        heldAfterOce = cond.IsLocked;
                        throw;
                    }

                    woke.Add(name);
                }
            }

            var a = Aio.CreateTask(W("a", cts.Token));
            var b = Aio.CreateTask(W("b", default));
            await Yield();
            Assert.Equal(2, Waiters(cond));

            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await a);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.True(heldAfterOce);
            Assert.False(cond.IsLocked);

            // 3.13: an exception out of wait() notifies one more waiter (a spurious wake-up of b is allowed); either way
            // b is still served by an explicit notify.
            await using (await cond.AcquireAsync())
            {
                cond.Notify();
            }

            await b;
            Assert.Equal(["b"], woke);
            Assert.Equal(0, Waiters(cond));
        });
    }

    // Ours: an already-cancelled token fails without waiting; the lock is still held by the caller afterwards.
    [Fact]
    public void WaitAsync_TokenAlreadyCancelled_ThrowsAtOnceAndKeepsTheLock()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            await cond.AcquireAsync();
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await cond.WaitAsync(cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
            Assert.True(cond.IsLocked);
            Assert.Equal(0, Waiters(cond));
            cond.Release();
        });
    }

    // Ours: WaitForAsync passes its token on to the waits.
    [Fact]
    public void WaitForAsync_TokenCancelled_ThrowsOceWithThatToken()
    {
        RunAio(async () =>
        {
            var cond = new AsyncCondition();
            using var cts = new CancellationTokenSource();
            async Coroutine<bool> W()
            {
                await cond.AcquireAsync();
                return await cond.WaitForAsync(() => false, cts.Token);
            }

            var t = Aio.CreateTask(W());
            await Yield();
            Assert.Equal(1, Waiters(cond));
            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await t);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.True(cond.IsLocked);   // the failed waiter re-acquired it and, without a block, still holds it
        });
    }
}
