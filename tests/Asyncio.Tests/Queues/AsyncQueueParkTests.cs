using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Queues;

/// <summary>
/// The frameless waits of <see cref="AsyncQueue{T}"/>: a putter or getter parks its task directly in the queue, and a
/// woken one that finds its slot or item taken by a newcomer before it runs waits again at the tail, as asyncio's
/// <c>while self.full(): await putter</c> / <c>while self.empty(): await getter</c> do.
/// </summary>
public sealed class AsyncQueueParkTests
{
    // Ours (asyncio's get loop): get_nowait between the wake-up and the getter's step takes the item; the woken getter
    // appends a new waiter behind those already waiting.
    [Fact]
    public void GetAsync_WokenGetterRobbedBeforeItRuns_WaitsAgainBehindTheOthers()
    {
        RunAio(async () =>
        {
            var q = new AsyncQueue<int>();
            var order = new List<string>();

            async Coroutine G(string name)
            {
                int x = await q.GetAsync();
                order.Add($"{name}{x}");
            }

            var a = Aio.CreateTask(G("a"));
            var b = Aio.CreateTask(G("b"));
            await Yield();
            Assert.Equal(2, Count(q, "getters"));

            q.PutNoWait(1);                   // wakes a
            Assert.Equal(1, q.GetNoWait());   // a newcomer takes the item before a runs
            await Yield();
            Assert.Empty(order);
            Assert.Equal(2, Count(q, "getters"));   // a waits again, now behind b

            q.PutNoWait(2);
            await b;
            Assert.Equal(["b2"], order);
            q.PutNoWait(3);
            await a;
            Assert.Equal(["b2", "a3"], order);
            Assert.True(q.IsEmpty);
        });
    }

    // Ours (asyncio's put loop): put_nowait between the wake-up and the putter's step takes the free slot; the woken
    // putter waits again behind the putters already waiting.
    [Fact]
    public void PutAsync_WokenPutterRobbedBeforeItRuns_WaitsAgainBehindTheOthers()
    {
        RunAio(async () =>
        {
            var q = new AsyncQueue<int>(1);
            q.PutNoWait(0);
            var p1 = Aio.CreateTask(q.PutAsync(1).AsCoroutine());
            var p2 = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
            await Yield();
            Assert.Equal(2, Count(q, "putters"));

            Assert.Equal(0, q.GetNoWait());   // wakes p1
            q.PutNoWait(9);                   // a newcomer takes the slot before p1 runs
            await Yield();
            Assert.False(p1.IsDone);
            Assert.Equal(2, Count(q, "putters"));   // p1 waits again, now behind p2

            Assert.Equal(9, q.GetNoWait());
            await p2;
            Assert.False(p1.IsDone);
            Assert.Equal(2, q.GetNoWait());
            await p1;
            Assert.Equal(1, q.GetNoWait());
            Assert.True(q.IsEmpty);
        });
    }

    // Ours: a putter robbed of its slot and parked again still ends by its token, and puts nothing.
    [Fact]
    public void PutAsync_RobbedThenTokenCancelled_ThrowsOceWithThatTokenAndPutsNothing()
    {
        RunAio(async () =>
        {
            var q = new AsyncQueue<int>(1);
            using var cts = new CancellationTokenSource();
            q.PutNoWait(0);
            var p = Aio.CreateTask(q.PutAsync(1, cts.Token).AsCoroutine());
            await Yield();

            Assert.Equal(0, q.GetNoWait());   // wakes p
            q.PutNoWait(9);                   // robbed
            await Yield();
            Assert.Equal(1, Count(q, "putters"));

            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await p);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(0, Count(q, "putters"));
            Assert.Equal(9, q.GetNoWait());
            Assert.True(q.IsEmpty);
        });
    }

    // Ours: a getter robbed of its item and parked again is cancelled with its task; nothing is lost.
    [Fact]
    public void GetAsync_RobbedThenTaskCancelled_CancelledErrorAndTheNextItemGoesToTheNextGetter()
    {
        RunAio(async () =>
        {
            var q = new AsyncQueue<int>();
            var a = Aio.CreateTask(q.GetAsync().AsCoroutine());
            await Yield();
            q.PutNoWait(1);                   // wakes a
            Assert.Equal(1, q.GetNoWait());   // robbed
            await Yield();
            var b = Aio.CreateTask(q.GetAsync().AsCoroutine());
            await Yield();
            Assert.Equal(2, Count(q, "getters"));

            a.Cancel();
            await ThrowsAsync<CancelledError>(async () => await a);
            q.PutNoWait(2);
            Assert.Equal(2, await b);
        });
    }

    // Ours: a woken getter cancelled before it runs passes the wake-up on, with direct parking too (awaited inside a
    // coroutine, not through AsCoroutine).
    [Fact]
    public void GetAsync_WokenGetterCancelledBeforeItRuns_ItemGoesToTheNextGetter()
    {
        RunAio(async () =>
        {
            var q = new AsyncQueue<int>();
            async Coroutine<int> G() => await q.GetAsync();
            var a = Aio.CreateTask(G());
            var b = Aio.CreateTask(G());
            await Yield();

            q.PutNoWait(1);   // wakes a
            a.Cancel();       // before a runs
            await ThrowsAsync<CancelledError>(async () => await a);
            Assert.Equal(1, await b);
        });
    }

    // Ours: shutdown while a robbed putter waits again: it fails with QueueShutDownError; a robbed getter of an empty
    // queue too.
    [Fact]
    public void Shutdown_WhileRobbedWaitersWaitAgain_BothFailWithShutDown()
    {
        RunAio(async () =>
        {
            var full = new AsyncQueue<int>(1);
            full.PutNoWait(0);
            var p = Aio.CreateTask(full.PutAsync(1).AsCoroutine());
            var empty = new AsyncQueue<int>();
            var g = Aio.CreateTask(empty.GetAsync().AsCoroutine());
            await Yield();
            full.GetNoWait();
            full.PutNoWait(9);
            empty.PutNoWait(1);
            empty.GetNoWait();
            await Yield();
            Assert.Equal(1, Count(full, "putters"));
            Assert.Equal(1, Count(empty, "getters"));

            full.Shutdown();
            empty.Shutdown();
            await ThrowsAsync<QueueShutDownError>(async () => await p);
            await ThrowsAsync<QueueShutDownError>(async () => await g);
            Assert.Equal(9, full.GetNoWait());
        });
    }

    // Ours: plain .NET async code waits as a getter too; robbed, it waits again behind the others.
    [Fact]
    public void GetAsync_FromPlainDotNetAsyncRobbed_WaitsAgainBehindTheOthers()
    {
        RunAio(async () =>
        {
            var q = new AsyncQueue<int>();
            async Task<int> PlainGet() => await q.GetAsync();

            Task<int> plain = PlainGet();
            var b = Aio.CreateTask(q.GetAsync().AsCoroutine());
            await Yield();
            Assert.Equal(2, Count(q, "getters"));

            q.PutNoWait(1);                   // wakes the plain getter
            Assert.Equal(1, q.GetNoWait());   // robbed
            await Yield(2);
            Assert.False(plain.IsCompleted);
            Assert.Equal(2, Count(q, "getters"));

            q.PutNoWait(2);
            Assert.Equal(2, await b);
            q.PutNoWait(3);
            Assert.Equal(3, await plain);
        });
    }

    // Ours: plain .NET async code waits as a putter in arrival order, and puts once a get frees the slot for it.
    [Fact]
    public void PutAsync_FromPlainDotNetAsync_WaitsItsTurnAndPuts()
    {
        RunAio(async () =>
        {
            var q = new AsyncQueue<int>(1);
            q.PutNoWait(0);
            var p2 = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
            await Yield();
            Task plain = PlainPut();
            await Yield();
            Assert.Equal(2, Count(q, "putters"));

            Assert.Equal(0, q.GetNoWait());   // wakes p2
            await p2;
            Assert.Equal(2, q.GetNoWait());   // wakes the plain putter
            await Yield(2);
            Assert.True(plain.IsCompletedSuccessfully);
            Assert.Equal(1, q.GetNoWait());
            Assert.True(q.IsEmpty);

            async Task PlainPut() => await q.PutAsync(1);
        });
    }
}
