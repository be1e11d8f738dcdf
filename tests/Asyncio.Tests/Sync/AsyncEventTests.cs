using static Asyncio.Tests.LoopRun;
using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Sync;

/// <summary>
/// Ports of CPython's <c>test_locks.py</c> <c>EventTests</c> to <see cref="AsyncEvent"/>, plus its cancellation-token and
/// allocation contracts.
/// </summary>
public sealed class AsyncEventTests
{
    // CPython: test_locks.py EventTests.test_repr
    [Fact]
    public void ToString_ShowsSetStateAndWaiters()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            Assert.Contains("[unset]", ev.ToString());
            var t = Aio.CreateTask(ev.WaitAsync().AsCoroutine());
            await Yield();
            Assert.Equal(1, Waiters(ev));
            ev.Set();
            Assert.Contains("[set]", ev.ToString());
            Assert.True(await t);
            Assert.Equal(0, Waiters(ev));
        });
    }

    // CPython: test_locks.py EventTests.test_wait: set() wakes the waiters on the next iteration, so a task whose first
    // step was already queued (it finds the event set) runs before them: [3, 1, 2].
    [Fact]
    public void Set_TwoWaitersAndANewTask_NewTaskFirstThenWaitersInOrder()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            Assert.False(ev.IsSet);
            var result = new List<int>();

            async Coroutine C(int n)
            {
                if (await ev.WaitAsync())
                {
                    result.Add(n);
                }
            }

            var t1 = Aio.CreateTask(C(1));
            var t2 = Aio.CreateTask(C(2));
            await Yield();
            Assert.Empty(result);

            var t3 = Aio.CreateTask(C(3));
            ev.Set();
            await Yield();
            Assert.Equal([3, 1, 2], result);

            Assert.True(t1.IsCompletedSuccessfully);
            Assert.True(t2.IsCompletedSuccessfully);
            Assert.True(t3.IsCompletedSuccessfully);
        });
    }

    // CPython: test_locks.py EventTests.test_wait_on_set
    [Fact]
    public void WaitAsync_AlreadySet_ReturnsTrueAtOnce()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            ev.Set();
            var wait = ev.WaitAsync().GetAwaiter();
            Assert.True(wait.IsCompleted);
            Assert.True(wait.GetResult());
        });
    }

    // CPython: test_locks.py EventTests.test_wait_cancel
    [Fact]
    public void WaitAsync_Cancelled_ThrowsCancelledErrorAndLeavesNoWaiter()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            var wait = Aio.CreateTask(ev.WaitAsync().AsCoroutine());
            Aio.GetRunningLoop().CallSoon(() => wait.Cancel());
            await ThrowsAsync<CancelledError>(async () => await wait);
            Assert.Equal(0, Waiters(ev));
            Assert.True(wait.IsCancelled);
        });
    }

    // CPython: test_locks.py EventTests.test_clear
    [Fact]
    public void Clear_AfterSet_IsSetFalse()
    {
        var ev = new AsyncEvent();
        Assert.False(ev.IsSet);
        ev.Set();
        Assert.True(ev.IsSet);
        ev.Clear();
        Assert.False(ev.IsSet);
    }

    // CPython: test_locks.py EventTests.test_clear_with_waiters: clear() does not take back a wake-up already given.
    [Fact]
    public void Clear_RightAfterSet_WokenWaiterStillReturnsTrue()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            var result = new List<int>();

            async Coroutine<bool> C()
            {
                if (await ev.WaitAsync())
                {
                    result.Add(1);
                }

                return true;
            }

            var t = Aio.CreateTask(C());
            await Yield();
            Assert.Empty(result);

            ev.Set();
            ev.Clear();
            Assert.False(ev.IsSet);

            ev.Set();
            ev.Set();
            await Yield();
            Assert.Equal([1], result);
            Assert.Equal(0, Waiters(ev));
            Assert.True(t.IsDone);
            Assert.True(t.Result);
        });
    }

    // CPython: test_locks.py EventTests.test_clear_with_waiters, the other half: after clear() a new waiter waits again.
    [Fact]
    public void WaitAsync_AfterClear_WaitsForTheNextSet()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            ev.Set();
            ev.Clear();
            var t = Aio.CreateTask(ev.WaitAsync().AsCoroutine());
            await Yield(3);
            Assert.False(t.IsDone);
            ev.Set();
            Assert.True(await t);
        });
    }

    // Ours (mixins._LoopBoundMixin): an event that waited on one loop refuses to wait on another.
    [Fact]
    public void WaitAsync_EventBoundToAnotherLoop_ThrowsBoundToADifferentLoop()
    {
        var ev = new AsyncEvent();
        using (var other = NewLoop())
        {
            other.RunUntilComplete(Bind(ev));
        }

        RunAio(async () =>
        {
            ev.Clear();
            var e = await ThrowsAnyAsync<InvalidOperationException>(async () => await ev.WaitAsync());
            Assert.Contains("bound to a different event loop", e.Message);
        });

        static async Coroutine Bind(AsyncEvent ev)
        {
            var t = Aio.CreateTask(ev.WaitAsync().AsCoroutine());
            await Yield();
            ev.Set();
            await t;
        }
    }

    // ------------------------------------------------------------------ CancellationToken (ours)

    // Ours: a token cancelled while waiting ends that wait only, with OperationCanceledException carrying the token.
    [Fact]
    public void WaitAsync_TokenCancelledWhileWaiting_ThrowsOceWithThatTokenOthersStillWoken()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            using var cts = new CancellationTokenSource();
            var a = Aio.CreateTask(ev.WaitAsync().AsCoroutine());
            var b = Aio.CreateTask(ev.WaitAsync(cts.Token).AsCoroutine());
            var c = Aio.CreateTask(ev.WaitAsync().AsCoroutine());
            await Yield();
            Assert.Equal(3, Waiters(ev));

            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await b);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(2, Waiters(ev));
            Assert.False(a.IsDone || c.IsDone);

            ev.Set();
            Assert.True(await a);
            Assert.True(await c);
            Assert.Equal(0, Waiters(ev));
        });
    }

    // Ours: an already-cancelled token on an unset event fails without waiting and leaves no waiter behind.
    [Fact]
    public void WaitAsync_TokenAlreadyCancelledEventUnset_ThrowsAtOnceLeavingNoWaiter()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await ev.WaitAsync(cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
            Assert.Equal(0, Waiters(ev));
        });
    }

    // Ours (.NET convention, as SemaphoreSlim.WaitAsync and ChannelReader.ReadAsync): an already-cancelled token fails at
    // once even when the event is set.
    [Fact]
    public void WaitAsync_TokenAlreadyCancelledEventSet_Throws()
    {
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            ev.Set();
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await ev.WaitAsync(cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
        });
    }

    // ------------------------------------------------------------------ allocation (ours)

    // Ours: set-and-wait on an event nobody else waits for allocates nothing once warm.
    [Fact]
    public void SetWaitClear_Uncontended_AllocatesNothing()
    {
        long allocated = -1;
        RunAio(async () =>
        {
            var ev = new AsyncEvent();
            for (int round = 0; round < 2; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < AllocationRounds; i++)
                {
                    ev.Set();
                    await ev.WaitAsync();
                    ev.Clear();
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }
        });
        Assert.Equal(0, allocated);
    }
}
