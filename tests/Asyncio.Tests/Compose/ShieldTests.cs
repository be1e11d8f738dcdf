using static Asyncio.Tests.Compose.Kit;
using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Compose;

/// <summary>Ports of the <c>test_shield*</c> (and <c>test_gather_shield</c>) methods of CPython's <c>test_tasks.py</c> <c>BaseTaskTests</c>.</summary>
public sealed class ShieldTests
{
    // CPython: test_tasks.py BaseTaskTests.test_shield_result
    [Fact]
    public void Shield_InnerSucceeds_OuterHasItsResult()
    {
        WithLoop(loop =>
        {
            var inner = loop.CreateFuture<int>();
            var outer = InLoop(loop, () => Aio.Shield(inner));
            inner.SetResult(42);
            Assert.Equal(42, loop.RunUntilComplete(outer));
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_exception
    [Fact]
    public void Shield_InnerFails_OuterHasTheSameException()
    {
        var reports = WithLoop(loop =>
        {
            var inner = loop.CreateFuture<int>();
            var outer = InLoop(loop, () => Aio.Shield(inner));
            RunBriefly(loop);
            var exc = new InvalidOperationException("expected");
            inner.SetException(exc);
            RunBriefly(loop);
            Assert.Same(exc, outer.Exception);
        });
        Assert.Empty(NeverRetrieved(reports));
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_cancel_inner
    [Fact]
    public void Shield_InnerCancelled_OuterCancelled()
    {
        WithLoop(loop =>
        {
            var inner = loop.CreateFuture<int>();
            var outer = InLoop(loop, () => Aio.Shield(inner));
            RunBriefly(loop);
            inner.Cancel();
            RunBriefly(loop);
            Assert.True(outer.IsCancelled);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_cancel_outer
    [Fact]
    public void Shield_OuterCancelled_InnerUntouched()
    {
        WithLoop(loop =>
        {
            var inner = loop.CreateFuture<int>();
            var outer = InLoop(loop, () => Aio.Shield(inner));
            RunBriefly(loop);
            outer.Cancel();
            RunBriefly(loop);
            Assert.True(outer.IsCancelled);
            Assert.False(inner.IsDone);
            inner.SetResult(1);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_cancel_outer_result (a result nobody reads is no error)
    [Fact]
    public void Shield_OuterCancelledThenInnerSucceeds_NothingReported()
    {
        var reports = WithLoop(loop =>
        {
            var inner = loop.CreateFuture<int>();
            var outer = InLoop(loop, () => Aio.Shield(inner));
            RunBriefly(loop);
            outer.Cancel();
            RunBriefly(loop);
            inner.SetResult(1);
            RunBriefly(loop);
        });
        Assert.Empty(reports);
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_cancel_outer_exception (the inner exception is nobody's:
    // reported once; asyncio reports it when the future is collected, Asyncio.NET when the loop closes)
    [Fact]
    public void Shield_OuterCancelledThenInnerFails_InnerExceptionReportedOnce()
    {
        var exc = new Exception("foo");
        var reports = WithLoop(loop =>
        {
            var inner = loop.CreateFuture<int>();
            var outer = InLoop(loop, () => Aio.Shield(inner));
            RunBriefly(loop);
            outer.Cancel();
            RunBriefly(loop);
            inner.SetException(exc);
            RunBriefly(loop);
        });
        Assert.Same(exc, Assert.Single(reports).Exception);
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_duplicate_log_once
    [Fact]
    public void Shield_TwoShieldsCancelledThenInnerFails_ReportedOnce()
    {
        var exc = new Exception("foo");
        var reports = WithLoop(loop =>
        {
            var inner = loop.CreateFuture<int>();
            var outer = InLoop(loop, () => Aio.Shield(inner));
            RunBriefly(loop);
            outer.Cancel();
            RunBriefly(loop);
            outer = InLoop(loop, () => Aio.Shield(inner));
            RunBriefly(loop);
            outer.Cancel();
            RunBriefly(loop);
            inner.SetException(exc);
            RunBriefly(loop);
        });
        Assert.Same(exc, Assert.Single(reports).Exception);
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_shortcut
    [Fact]
    public void Shield_InnerAlreadyDone_ResultAtOnce()
    {
        WithLoop(loop =>
        {
            var fut = loop.CreateFuture<int>();
            fut.SetResult(42);
            var outer = InLoop(loop, () => Aio.Shield(fut));
            Assert.True(outer.IsDone);
            Assert.Equal(42, loop.RunUntilComplete(outer));
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_effect (cancelling outer() does not affect inner())
    [Fact]
    public void Shield_TaskAwaitingItCancelled_InnerCoroutineRunsOn()
    {
        WithLoop(loop =>
        {
            int proof = 0;
            var waiter = loop.CreateFuture<bool>();
            var f = loop.CreateTask(Outer());
            RunBriefly(loop);
            f.Cancel();
            Assert.Throws<CancelledError>(() => loop.RunUntilComplete(f));
            waiter.SetResult(true);
            RunBriefly(loop);
            Assert.Equal(1, proof);

            async Coroutine<int> Inner()
            {
                await waiter;
                proof += 1;
                return proof;
            }

            async Coroutine Outer()
            {
                await Aio.Shield(Inner());
                proof += 100;
            }
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_gather
    [Fact]
    public void Shield_OfAGather_CancellingTheShieldLeavesTheGatherRunning()
    {
        WithLoop(loop =>
        {
            var child1 = loop.CreateFuture<int>();
            var child2 = loop.CreateFuture<int>();
            var parent = InLoop(loop, () => Aio.Gather(new[] { child1, child2 }));
            var outer = InLoop(loop, () => Aio.Shield(parent));
            RunBriefly(loop);
            outer.Cancel();
            RunBriefly(loop);
            Assert.True(outer.IsCancelled);
            child1.SetResult(1);
            child2.SetResult(2);
            RunBriefly(loop);
            Assert.Equal([1, 2], parent.Result);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_gather_shield (cancelling the gather cancels the shields, not the
    // children they protect)
    [Fact]
    public void Gather_OfShields_CancellingTheGatherCancelsTheShieldsOnly()
    {
        WithLoop(loop =>
        {
            var child1 = loop.CreateFuture<int>();
            var child2 = loop.CreateFuture<int>();
            var inner1 = InLoop(loop, () => Aio.Shield(child1));
            var inner2 = InLoop(loop, () => Aio.Shield(child2));
            var parent = InLoop(loop, () => Aio.Gather(inner1, inner2));
            RunBriefly(loop);
            parent.Cancel();
            RunBriefly(loop);
            Assert.IsType<CancelledError>(parent.Exception);
            Assert.True(inner1.IsCancelled);
            Assert.True(inner2.IsCancelled);
            Assert.False(child1.IsDone);
            Assert.False(child2.IsDone);
            child1.SetResult(1);
            child2.SetResult(2);
            RunBriefly(loop);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_coroutine_without_loop (asyncio: RuntimeError 'no current event loop')
    [Fact]
    public void Shield_NoRunningLoop_ThrowsNamingTheMissingLoop()
    {
        Throws<InvalidOperationException>(() => Aio.Shield(Return(42)), "Aio.Shield", "running event loop");
    }

    // CPython: test_tasks.py BaseTaskTests.test_shield_coroutine_use_running_loop
    [Fact]
    public void Shield_Coroutine_RunsOnTheRunningLoop()
    {
        WithLoop(loop =>
        {
            var outer = InLoop(loop, () => Aio.Shield(Return(42)));
            Assert.Same(loop, outer.Loop);
            Assert.Equal(42, loop.RunUntilComplete(outer));
        });
    }

    // Ours (shield's docstring: "if the inner work is cancelled, the outer is too" — and the awaiting task then ends
    // cancelled)
    [Fact]
    public void Shield_InnerTaskCancelled_TaskAwaitingTheShieldGetsCancelledError()
    {
        Run(async loop =>
        {
            var inner = Aio.CreateTask(Sleep(5, 1));
            var waiter = Aio.CreateTask(Waiter());
            await Aio.Sleep(1);
            inner.Cancel();
            await Raises<CancelledError>(async () => await waiter);
            Assert.True(waiter.IsCancelled);

            async Coroutine<int> Waiter() => await Aio.Shield(inner);
        });
    }

    // Ours (shield.__doc__: "res = await shield(something())" — the result comes through unchanged)
    [Fact]
    public void Shield_NotCancelled_AwaitReturnsTheInnerResult()
    {
        Assert.Equal("x", Run(async loop => await Aio.Shield(Sleep(1, "x"))));
    }
}
