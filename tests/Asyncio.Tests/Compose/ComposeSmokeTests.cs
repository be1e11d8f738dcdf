namespace Asyncio.Tests.Compose;

public class ComposeSmokeTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo };

    private static async Coroutine<int> After(double d, int v)
    {
        await Aio.Sleep(d);
        return v;
    }

    private static async Coroutine<int> FailAfter(double d, string msg)
    {
        await Aio.Sleep(d);
        throw new InvalidOperationException(msg);
    }

    [Fact]
    public void Gather_ResultsInArgumentOrder_ConcurrentTime()
    {
        var (r, t) = Aio.Run(async () =>
        {
            int[] rs = await Aio.Gather(new[] { After(3, 1), After(1, 2), After(2, 3) });
            return (rs, Aio.GetRunningLoop().Time());
        }, Virtual());
        Assert.Equal([1, 2, 3], r);
        Assert.Equal(3.0, t);
    }

    [Fact]
    public void Gather_Tuple_MixedTypes()
    {
        var (a, b) = Aio.Run(async () => await Aio.Gather(After(1, 5), Aio.Sleep(2, "x")), Virtual());
        Assert.Equal(5, a);
        Assert.Equal("x", b);
    }

    [Fact]
    public void Gather_FirstFailure_Propagates_OthersKeepRunning()
    {
        Aio.Run(async () =>
        {
            var slow = Aio.CreateTask(After(5, 1));
            var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await Aio.Gather(slow, FailAfter(1, "boom")));
            Assert.Equal("boom", e.Message);
            Assert.False(slow.IsDone);
            Assert.Equal(1, await slow);
        }, Virtual());
    }

    [Fact]
    public void Gather_ReturnExceptions_CollectsOutcomes()
    {
        var outcomes = Aio.Run(async () => await Aio.Gather(new[] { After(1, 1), FailAfter(1, "bad") }, returnExceptions: true), Virtual());
        Assert.Equal(1, outcomes[0].Value);
        Assert.IsType<InvalidOperationException>(outcomes[1].Exception);
    }

    [Fact]
    public void Gather_CancelOuter_CancelsChildren()
    {
        Aio.Run(async () =>
        {
            var a = Aio.CreateTask(After(5, 1));
            var b = Aio.CreateTask(After(5, 2));
            var g = Aio.Gather(a, b);
            await Aio.Sleep(1);
            Assert.True(g.Cancel());
            await Assert.ThrowsAsync<CancelledError>(async () => await g);
            Assert.True(a.IsCancelled);
            Assert.True(b.IsCancelled);
            Assert.False(g.IsCancelled);
        }, Virtual());
    }

    [Fact]
    public void Gather_VoidCoroutines()
    {
        double t = Aio.Run(async () =>
        {
            async Coroutine C(double d) => await Aio.Sleep(d);
            await Aio.Gather(C(1), C(2));
            return Aio.GetRunningLoop().Time();
        }, Virtual());
        Assert.Equal(2.0, t);
    }

    [Fact]
    public void Wait_FirstCompleted_NothingCancelled()
    {
        Aio.Run(async () =>
        {
            var a = Aio.CreateTask(After(1, 1));
            var b = Aio.CreateTask(After(3, 2));
            var (done, pending) = await Aio.Wait(new[] { a, b }, returnWhen: ReturnWhen.FirstCompleted);
            Assert.Contains(a, done);
            Assert.Contains(b, pending);
            Assert.Equal(1.0, Aio.GetRunningLoop().Time());
            var (done2, pending2) = await Aio.Wait(new[] { b }, timeout: 0.5);
            Assert.Empty(done2);
            Assert.False(b.IsCancelled);
            await b;
        }, Virtual());
    }

    [Fact]
    public void WaitFor_Timeout_CancelsAndThrows()
    {
        bool cleaned = false;
        Aio.Run(async () =>
        {
            async Coroutine<string> Slow()
            {
                try
                {
                    await Aio.Sleep(5);
                    return "Completed";
                }
                finally
                {
                    cleaned = true;
                }
            }

            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(Slow(), 2));
            Assert.Equal(2.0, Aio.GetRunningLoop().Time());
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
        }, Virtual());
        Assert.True(cleaned);
    }

    [Fact]
    public void WaitFor_InnerSwallowsCancellation_ReturnsValue()
    {
        string r = Aio.Run(async () =>
        {
            async Coroutine<string> Stubborn()
            {
                try
                {
                    await Aio.Sleep(5);
                    return "done";
                }
                catch (CancelledError)
                {
                    return "swallowed";
                }
            }

            return await Aio.WaitFor(Aio.CreateTask(Stubborn()), 1);
        }, Virtual());
        Assert.Equal("swallowed", r);
    }

    [Fact]
    public void Timeout_Nested_OnlyFiringScopeConverts()
    {
        Aio.Run(async () =>
        {
            bool innerTimedOut = false;
            await Aio.Timeout(10, async outer =>
            {
                try
                {
                    await Aio.Timeout(1, async inner => await Aio.Sleep(5));
                }
                catch (TimeoutException)
                {
                    innerTimedOut = true;
                }

                Assert.False(outer.Expired);
            });
            Assert.True(innerTimedOut);
            Assert.Equal(1.0, Aio.GetRunningLoop().Time());
        }, Virtual());
    }

    [Fact]
    public void Timeout_Reschedule()
    {
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            await Assert.ThrowsAsync<TimeoutException>(async () => await Aio.Timeout(null, async scope =>
            {
                Assert.Null(scope.When);
                scope.Reschedule(loop.Time() + 3);
                await Aio.Sleep(10);
            }));
            Assert.Equal(3.0, loop.Time());
        }, Virtual());
    }

    [Fact]
    public void Shield_OuterCancelled_InnerKeepsRunning()
    {
        Aio.Run(async () =>
        {
            var inner = Aio.CreateTask(After(2, 7));
            async Coroutine<int> Waiter() => await Aio.Shield(inner);
            var w = Aio.CreateTask(Waiter());
            await Aio.Sleep(1);
            w.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await w);
            Assert.False(inner.IsDone);
            Assert.Equal(7, await inner);
        }, Virtual());
    }

    [Fact]
    public void AsCompleted_YieldsInCompletionOrder()
    {
        var order = new List<int>();
        Aio.Run(async () =>
        {
            await foreach (var t in Aio.AsCompleted(new[] { After(3, 3), After(1, 1), After(2, 2) }))
            {
                order.Add(await t);
            }
        }, Virtual());
        Assert.Equal([1, 2, 3], order);
    }

    [Fact]
    public void AsCompleted_Timeout()
    {
        Aio.Run(async () =>
        {
            var got = new List<int>();
            await Assert.ThrowsAsync<TimeoutException>(async () =>
            {
                await foreach (var t in Aio.AsCompleted(new[] { After(1, 1), After(5, 5) }, timeout: 2))
                {
                    got.Add(await t);
                }
            });
            Assert.Equal([1], got);
        }, Virtual());
    }

    [Fact]
    public void TaskGroup_FirstFailureCancelsSiblingsAndBody()
    {
        bool siblingCancelled = false;
        Aio.Run(async () =>
        {
            async Coroutine Sibling()
            {
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    siblingCancelled = true;
                    throw;
                }
            }

            var e = await Assert.ThrowsAsync<TaskGroupException>(async () => await TaskGroup.RunAsync(async g =>
            {
                _ = g.CreateTask(Sibling());
                _ = g.CreateTask(FailAfter(1, "x"));
                await Aio.Sleep(100);
            }));
            Assert.Single(e.InnerExceptions);
            Assert.Equal("x", e.InnerExceptions[0].Message);
            Assert.Equal(1.0, Aio.GetRunningLoop().Time());
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
        }, Virtual());
        Assert.True(siblingCancelled);
    }

    [Fact]
    public void TaskGroup_WaitsForAllTasks()
    {
        double t = Aio.Run(async () =>
        {
            await TaskGroup.RunAsync(async g =>
            {
                _ = g.CreateTask(After(1, 1));
                _ = g.CreateTask(After(3, 3));
            });
            return Aio.GetRunningLoop().Time();
        }, Virtual());
        Assert.Equal(3.0, t);
    }

    [Fact]
    public void TaskGroup_OuterCancel_Propagates()
    {
        Aio.Run(async () =>
        {
            async Coroutine Body() => await TaskGroup.RunAsync(async g =>
            {
                _ = g.CreateTask(After(10, 1));
                await Aio.Sleep(10);
            });
            var t = Aio.CreateTask(Body());
            await Aio.Sleep(1);
            t.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await t);
            Assert.True(t.IsCancelled);
        }, Virtual());
    }
}
