namespace Asyncio.Tests;

public class Smoke2Tests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo };

    [Fact]
    public void CancelBeforeFirstStep_NeverRuns()
    {
        bool ran = false;
        Aio.Run(async () =>
        {
            async Coroutine Body() { ran = true; await Aio.Sleep(0); }
            var t = Aio.CreateTask(Body());
            Assert.True(t.Cancel());
            await Assert.ThrowsAsync<CancelledError>(async () => await t);
            Assert.True(t.IsCancelled);
        }, Virtual());
        Assert.False(ran);
    }

    [Fact]
    public void CancelPropagatesDownAwaitChain()
    {
        Aio.Run(async () =>
        {
            var inner = Aio.CreateTask(Aio.Sleep<int>(10, 1));
            async Coroutine<int> Outer() => await inner;
            var outer = Aio.CreateTask(Outer());
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            outer.Cancel("m");
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.True(inner.IsCancelled);
            Assert.True(outer.IsCancelled);
        }, Virtual());
    }

    [Fact]
    public void CatchAndReturn_NotCancelled()
    {
        int r = Aio.Run(async () =>
        {
            async Coroutine<int> Body()
            {
                try { await Aio.Sleep(10); } catch (CancelledError) { return 7; }
                return 0;
            }
            var t = Aio.CreateTask(Body());
            await Aio.Sleep(1);
            t.Cancel();
            int v = await t;
            Assert.False(t.IsCancelled);
            Assert.Equal(1, t.Cancelling());
            return v;
        }, Virtual());
        Assert.Equal(7, r);
    }

    [Fact]
    public void AsyncLocal_DoesNotLeakBetweenTasks()
    {
        var local = new AsyncLocal<string?>();
        var seen = new List<string?>();
        Aio.Run(async () =>
        {
            local.Value = "main";
            async Coroutine A() { local.Value = "a"; await Aio.Sleep(1); seen.Add("A:" + local.Value); }
            async Coroutine B() { await Aio.Sleep(0.5); seen.Add("B:" + local.Value); local.Value = "b"; await Aio.Sleep(1); seen.Add("B2:" + local.Value); }
            var a = Aio.CreateTask(A());
            var b = Aio.CreateTask(B());
            await a; await b;
            seen.Add("main:" + local.Value);
        }, Virtual());
        Assert.Equal(new[] { "B:main", "A:a", "B2:b", "main:main" }, seen);
    }

    [Fact]
    public void PlainTaskCode_ResumesOnLoopThread()
    {
        Aio.Run(async () =>
        {
            int loopThread = Environment.CurrentManagedThreadId;
            await Task.Yield();
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            await Task.Run(() => 1).ConfigureAwait(false);
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
            async Task Helper() { await Task.Yield(); Assert.Equal(loopThread, Environment.CurrentManagedThreadId); await Task.Run(() => 0); Assert.Equal(loopThread, Environment.CurrentManagedThreadId); }
            await Helper();
            Assert.Equal(loopThread, Environment.CurrentManagedThreadId);
        });
    }

    [Fact]
    public void AsyncTaskHelperSleepingOnLoopClock_DoesNotHoldVirtualTime()
    {
        double t = Aio.Run(async () =>
        {
            async Task Helper() { await Aio.Sleep(5); await Task.Delay(TimeSpan.FromSeconds(5), Aio.GetRunningLoop().Clock); }
            await Helper();
            return Aio.GetRunningLoop().Time();
        }, Virtual());
        Assert.Equal(10.0, t);
    }

    [Fact]
    public void CoroutineAwaitedTwice_Throws()
    {
        Aio.Run(async () =>
        {
            async Coroutine<int> One() => 1;
            var c = One();
            Assert.Equal(1, await c);
            var e = Assert.Throws<InvalidOperationException>(() => c.GetAwaiter());
            Assert.Contains("already awaited", e.Message);
        }, Virtual());
    }

    [Fact]
    public void Deadlock_IsReported()
    {
        var e = Assert.Throws<DeadlockException>(() => Aio.Run(async () =>
        {
            var f = new Future<int>();
            async Coroutine<int> Waiter() => await f;
            var t = Aio.CreateTask(Waiter(), "waiter");
            return await t;
        }, Virtual()));
        Assert.Contains("waiter", e.Message);
    }

    [Fact]
    public void SeededSchedules_AreReproducible()
    {
        static string RunWith(int seed)
        {
            var log = new System.Text.StringBuilder();
            Aio.Run(async () =>
            {
                async Coroutine W(int id) { for (int i = 0; i < 3; i++) { log.Append(id); await Aio.Sleep(0); } }
                var ts = Enumerable.Range(0, 5).Select(i => Aio.CreateTask(W(i))).ToList();
                foreach (var t in ts) await t;
            }, new LoopOptions { Clock = new VirtualClock(), Seed = seed });
            return log.ToString();
        }
        Assert.Equal(RunWith(1), RunWith(1));
        var distinct = Enumerable.Range(0, 10).Select(RunWith).Distinct().Count();
        Assert.True(distinct > 1);
    }

    [Fact]
    public void DelegateTask_RunsAndCancelsViaToken()
    {
        Aio.Run(async () =>
        {
            AioTask? t = null;
            t = Aio.CreateTask(async () =>
            {
                Assert.Same(t, Aio.CurrentTask);
                await Task.Delay(Timeout.Infinite, Aio.CurrentTask!.CancellationToken);   // real-time: never elapses; the task's token ends it at once
            });
            await Aio.Sleep(0);
            t.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await t);
            Assert.True(t.IsCancelled);
        });
    }

    [Fact]
    public void ToThread_ReturnsResult()
    {
        int r = Aio.Run(async () => await Aio.ToThread(() => 6 * 7), Virtual());
        Assert.Equal(42, r);
    }
}
