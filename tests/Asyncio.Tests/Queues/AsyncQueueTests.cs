using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Queues;

/// <summary>
/// <see cref="AsyncQueue{T}"/> (FIFO): the shared contracts of <see cref="AsyncQueueTestBase{TQueue}"/> plus the
/// order-dependent tests of CPython's <c>test_queues.py</c> <c>QueueBasicTests</c> and <c>QueuePutTests</c>.
/// </summary>
public sealed class AsyncQueueTests : AsyncQueueTestBase<AsyncQueue<int>>
{
    protected override AsyncQueue<int> Create(int maxSize = 0) => new(maxSize);

    // CPython: test_queues.py QueueBasicTests.test_order
    [Fact]
    public void GetAsync_Fifo_ItemsInPutOrder()
    {
        RunAio(async () =>
        {
            var q = Create();
            foreach (int i in new[] { 1, 3, 2 })
            {
                await q.PutAsync(i);
            }

            var items = new List<int>();
            for (int k = 0; k < 3; k++)
            {
                items.Add(await q.GetAsync());
            }

            Assert.Equal([1, 3, 2], items);
        });
    }

    // CPython: test_queues.py QueueBasicTests.test_maxsize
    [Fact]
    public void PutAsync_MaxSizeTwo_ThirdPutWaitsForAGet()
    {
        RunAio(async () =>
        {
            var q = Create(2);
            Assert.Equal(2, q.MaxSize);
            var haveBeenPut = new List<int>();

            async Coroutine<bool> Putter()
            {
                for (int i = 0; i < 3; i++)
                {
                    await q.PutAsync(i);
                    haveBeenPut.Add(i);
                }

                return true;
            }

            var t = Aio.CreateTask(Putter());
            await Yield(2);

            // the putter is blocked after putting two items
            Assert.Equal([0, 1], haveBeenPut);
            Assert.Equal(0, await q.GetAsync());

            // let the putter resume and put the last item
            await Yield();
            Assert.Equal([0, 1, 2], haveBeenPut);
            Assert.Equal(1, await q.GetAsync());
            Assert.Equal(2, await q.GetAsync());

            Assert.True(t.IsDone);
            Assert.True(t.Result);
        });
    }

    // CPython: test_queues.py QueuePutTests.test_get_cancel_drop_one_pending_reader
    [Fact]
    public void GetAsync_WokenReaderCancelled_RetriedReaderGetsTheFirstItemNotTheSecond()
    {
        RunAio(async () =>
        {
            var q = Create();
            var reader = Aio.CreateTask(q.GetAsync().AsCoroutine());
            await Yield();

            q.PutNoWait(1);
            q.PutNoWait(2);
            reader.Cancel();

            try
            {
                await reader;
            }
            catch (CancelledError)
            {
                // try again
                reader = Aio.CreateTask(q.GetAsync().AsCoroutine());
                await reader;
            }

            // if we get 2, 1 was dropped
            Assert.Equal(1, reader.Result);
        });
    }

    // Ours: the await foreach order is the queue's order.
    [Fact]
    public void AwaitForeach_Fifo_ItemsInPutOrder()
    {
        RunAio(async () =>
        {
            var q = Create();
            foreach (int i in new[] { 1, 3, 2 })
            {
                q.PutNoWait(i);
            }

            q.Shutdown();
            var items = new List<int>();
            await foreach (int x in q)
            {
                items.Add(x);
            }

            Assert.Equal([1, 3, 2], items);
        });
    }
}

/// <summary><see cref="AsyncLifoQueue{T}"/>: shared contracts plus CPython's <c>test_queues.py</c> <c>LifoQueueTests</c>.</summary>
public sealed class AsyncLifoQueueTests : AsyncQueueTestBase<AsyncLifoQueue<int>>
{
    protected override AsyncLifoQueue<int> Create(int maxSize = 0) => new(maxSize);

    // CPython: test_queues.py LifoQueueTests.test_order
    [Fact]
    public void GetAsync_Lifo_LastPutFirst()
    {
        RunAio(async () =>
        {
            var q = Create();
            foreach (int i in new[] { 1, 3, 2 })
            {
                await q.PutAsync(i);
            }

            var items = new List<int>();
            for (int k = 0; k < 3; k++)
            {
                items.Add(await q.GetAsync());
            }

            Assert.Equal([2, 3, 1], items);
        });
    }

    // Ours: shutdown(immediate) drops the items whatever the order, and get() then fails.
    [Fact]
    public void ShutdownImmediate_Lifo_DropsEverything()
    {
        var q = Create();
        q.PutNoWait(1);
        q.PutNoWait(2);
        q.Shutdown(immediate: true);
        Assert.True(q.IsEmpty);
        Assert.Equal(0, q.UnfinishedTasks);
        Assert.Throws<QueueShutDownError>(() => q.GetNoWait());
    }
}

/// <summary><see cref="AsyncPriorityQueue{T}"/>: shared contracts plus CPython's <c>test_queues.py</c> <c>PriorityQueueTests</c>.</summary>
public sealed class AsyncPriorityQueueTests : AsyncQueueTestBase<AsyncPriorityQueue<int>>
{
    protected override AsyncPriorityQueue<int> Create(int maxSize = 0) => new(maxSize);

    // CPython: test_queues.py PriorityQueueTests.test_order
    [Fact]
    public void GetAsync_Priority_SmallestFirst()
    {
        RunAio(async () =>
        {
            var q = Create();
            foreach (int i in new[] { 1, 3, 2 })
            {
                await q.PutAsync(i);
            }

            var items = new List<int>();
            for (int k = 0; k < 3; k++)
            {
                items.Add(await q.GetAsync());
            }

            Assert.Equal([1, 2, 3], items);
        });
    }

    // Ours: a custom comparer decides the order (here: largest first).
    [Fact]
    public void GetNoWait_CustomComparer_OrderFollowsTheComparer()
    {
        var q = new AsyncPriorityQueue<int>(0, Comparer<int>.Create((a, b) => b.CompareTo(a)));
        foreach (int i in new[] { 1, 3, 2 })
        {
            q.PutNoWait(i);
        }

        Assert.Equal([3, 2, 1], new[] { q.GetNoWait(), q.GetNoWait(), q.GetNoWait() });
    }

    // CPython: PriorityQueue entries are typically (priority, data) tuples.
    [Fact]
    public void GetNoWait_PriorityTuples_LowestPriorityFirst()
    {
        var q = new AsyncPriorityQueue<(int Priority, string Data)>();
        q.PutNoWait((2, "b"));
        q.PutNoWait((0, "z"));
        q.PutNoWait((1, "a"));
        Assert.Equal("z", q.GetNoWait().Data);
        Assert.Equal("a", q.GetNoWait().Data);
        Assert.Equal("b", q.GetNoWait().Data);
    }
}
