namespace Asyncio.Tests.Sync;

public class SyncSmokeTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo };

    [Fact]
    public void Semaphore_ThreeOfTen_NeverMoreThanThreeInside_FinishesAtEight()
    {
        int inside = 0, maxInside = 0;
        double end = Aio.Run(async () =>
        {
            var sem = new AsyncSemaphore(3);
            async Coroutine Limited(int id)
            {
                await using (await sem.AcquireAsync())
                {
                    inside++;
                    maxInside = Math.Max(maxInside, inside);
                    await Aio.Sleep(2);
                    inside--;
                }
            }

            var tasks = Enumerable.Range(0, 10).Select(i => Aio.CreateTask(Limited(i))).ToList();
            foreach (var t in tasks)
            {
                await t;
            }

            return Aio.GetRunningLoop().Time();
        }, Virtual());
        Assert.Equal(3, maxInside);
        Assert.Equal(8.0, end);
    }

    [Fact]
    public void Lock_IsFifo()
    {
        var order = new List<int>();
        Aio.Run(async () =>
        {
            var lk = new AsyncLock();
            async Coroutine W(int id)
            {
                await using (await lk.AcquireAsync())
                {
                    order.Add(id);
                    await Aio.Sleep(1);
                }
            }

            var ts = Enumerable.Range(0, 5).Select(i => Aio.CreateTask(W(i))).ToList();
            foreach (var t in ts) await t;
        }, Virtual());
        Assert.Equal([0, 1, 2, 3, 4], order);
    }

    [Fact]
    public void ProducerConsumer_Queue()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            var q = new AsyncQueue<int>();
            async Coroutine Producer()
            {
                for (int i = 0; i < 5; i++)
                {
                    await q.PutAsync(i);
                    log.Add($"Produced {i}");
                }
            }

            async Coroutine Consumer()
            {
                for (int i = 0; i < 5; i++)
                {
                    int item = await q.GetAsync();
                    log.Add($"Consumed {item}");
                    q.TaskDone();
                }
            }

            var c = Aio.CreateTask(Consumer());
            await Producer();
            await q.JoinAsync();
            await c;
        }, Virtual());
        Assert.Equal(10, log.Count);
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"Consumed {i}"), log.Where(l => l.StartsWith("Consumed")));
    }

    [Fact]
    public void Queue_AwaitForeach_EndsAtShutdown()
    {
        var got = new List<int>();
        Aio.Run(async () =>
        {
            var q = new AsyncQueue<int>(2);
            async Coroutine Consume()
            {
                await foreach (int x in q)
                {
                    got.Add(x);
                }
            }

            var c = Aio.CreateTask(Consume());
            for (int i = 0; i < 6; i++)
            {
                await q.PutAsync(i);
                await Aio.Sleep(1);
            }

            q.Shutdown();
            await c;
            Assert.Equal(6.0, Aio.GetRunningLoop().Time());
        }, Virtual());
        Assert.Equal([0, 1, 2, 3, 4, 5], got);
    }

    [Fact]
    public void Queue_AwaitForeach_CancelEndsTask()
    {
        Aio.Run(async () =>
        {
            var q = new AsyncQueue<int>();
            async Coroutine Consume() { await foreach (int x in q) { } }
            var c = Aio.CreateTask(Consume());
            await Aio.Sleep(1);
            c.Cancel();
            await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await c);
            Assert.True(c.IsCancelled);
        }, Virtual());
    }

    [Fact]
    public void Condition_NotifyWakesWaitersInOrder()
    {
        var order = new List<int>();
        Aio.Run(async () =>
        {
            var cond = new AsyncCondition();
            async Coroutine W(int id)
            {
                await using (await cond.AcquireAsync())
                {
                    await cond.WaitAsync();
                    order.Add(id);
                }
            }

            var ts = Enumerable.Range(0, 3).Select(i => Aio.CreateTask(W(i))).ToList();
            await Aio.Sleep(0.1);
            await using (await cond.AcquireAsync())
            {
                cond.Notify(2);
            }

            await Aio.Sleep(0.1);
            Assert.Equal([0, 1], order);
            await using (await cond.AcquireAsync())
            {
                cond.NotifyAll();
            }

            foreach (var t in ts) await t;
        }, Virtual());
        Assert.Equal([0, 1, 2], order);
    }

    [Fact]
    public void Barrier_ReleasesAllWithDistinctIndices()
    {
        var indices = new List<int>();
        Aio.Run(async () =>
        {
            var b = new AsyncBarrier(3);
            async Coroutine W() => indices.Add(await b.WaitAsync());
            var ts = Enumerable.Range(0, 3).Select(_ => Aio.CreateTask(W())).ToList();
            foreach (var t in ts) await t;
        }, Virtual());
        Assert.Equal([0, 1, 2], indices.OrderBy(i => i));
    }
}
