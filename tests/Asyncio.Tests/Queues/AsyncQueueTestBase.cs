using static Asyncio.Tests.LoopRun;
using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Queues;

/// <summary>
/// The contracts every queue kind shares, ported from CPython's <c>test_queues.py</c> (the order-independent parts of
/// <c>QueueBasicTests</c>, <c>QueueGetTests</c> and <c>QueuePutTests</c>, all of <c>_QueueJoinTestMixin</c> and
/// <c>_QueueShutdownTestMixin</c>, which CPython runs for Queue, LifoQueue and PriorityQueue), plus token, allocation,
/// <c>await foreach</c> and bad-input contracts. Tests that depend on the item order live in the derived classes.
/// </summary>
/// <typeparam name="TQueue">The queue kind under test.</typeparam>
public abstract class AsyncQueueTestBase<TQueue>
    where TQueue : AsyncQueue<int>
{
    /// <summary>A new queue of the kind under test (zero or less: unbounded).</summary>
    protected abstract TQueue Create(int maxSize = 0);

    // ------------------------------------------------------------------ QueueBasicTests

    // CPython: test_queues.py QueueBasicTests.test_repr / test_str (_getters[1], _putters[1], _queue=[1])
    [Fact]
    public void ToString_ShowsGettersPuttersAndSize()
    {
        RunAio(async () =>
        {
            var q = Create();
            Assert.StartsWith("<" + typeof(TQueue).Name, q.ToString(), StringComparison.Ordinal);

            var getter = Aio.CreateTask(q.GetAsync().AsCoroutine());
            await Yield();
            Assert.Equal(1, Count(q, "getters"));
            q.PutNoWait(0);
            Assert.Equal(0, await getter);

            q = Create(1);
            q.PutNoWait(1);
            var putter = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
            await Yield();
            Assert.Equal(1, Count(q, "putters"));
            q.GetNoWait();
            await putter;
            Assert.True(putter.IsCompletedSuccessfully);

            q = Create();
            q.PutNoWait(1);
            Assert.Equal(1, Count(q, "size"));
        });
    }

    // CPython: test_queues.py QueueBasicTests.test_empty
    [Fact]
    public void IsEmpty_FollowsPutAndGet()
    {
        RunAio(async () =>
        {
            var q = Create();
            Assert.True(q.IsEmpty);
            await q.PutAsync(1);
            Assert.False(q.IsEmpty);
            Assert.Equal(1, await q.GetAsync());
            Assert.True(q.IsEmpty);
        });
    }

    // CPython: test_queues.py QueueBasicTests.test_full
    [Fact]
    public void IsFull_UnboundedNeverBoundedAtMaxSize()
    {
        RunAio(async () =>
        {
            var q = Create();
            Assert.False(q.IsFull);
            Assert.Equal(0, q.MaxSize);

            q = Create(maxSize: 1);
            await q.PutAsync(1);
            Assert.True(q.IsFull);
            Assert.Equal(1, q.MaxSize);
        });
    }

    // Ours (queues.py: "If maxsize is less than or equal to zero, the queue size is infinite").
    [Fact]
    public void PutNoWait_NegativeMaxSize_Unbounded()
    {
        var q = Create(-3);
        for (int i = 0; i < 100; i++)
        {
            q.PutNoWait(i);
        }

        Assert.False(q.IsFull);
        Assert.Equal(100, q.Count);
    }

    // ------------------------------------------------------------------ QueueGetTests

    // CPython: test_queues.py QueueGetTests.test_blocking_get
    [Fact]
    public void GetAsync_ItemPresent_ReturnsIt()
    {
        RunAio(async () =>
        {
            var q = Create();
            q.PutNoWait(1);
            Assert.Equal(1, await q.GetAsync());
        });
    }

    // CPython: test_queues.py QueueGetTests.test_get_with_putters (CPython plants a bare future in _putters; here a
    // real putter waits): a get from a full queue wakes the first putter.
    [Fact]
    public void GetAsync_FullQueueWithWaitingPutter_ReturnsTheItemAndWakesThePutter()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            await q.PutAsync(1);
            var putter = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
            await Yield();
            Assert.False(putter.IsDone);

            Assert.Equal(1, await q.GetAsync());
            await Yield();
            Assert.True(putter.IsCompletedSuccessfully);
            Assert.Equal(2, q.GetNoWait());
        });
    }

    // CPython: test_queues.py QueueGetTests.test_blocking_get_wait
    [Fact]
    public void GetAsync_EmptyQueue_WaitsForAPutLater()
    {
        RunAio(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var q = Create();
            var started = new AsyncEvent();
            bool finished = false;

            async Coroutine<int> QueueGet()
            {
                started.Set();
                int res = await q.GetAsync();
                finished = true;
                return res;
            }

            var queueGetTask = Aio.CreateTask(QueueGet());
            await started.WaitAsync();
            Assert.False(finished);
            loop.CallLater(0.01, () => q.PutNoWait(1));
            int result = await queueGetTask;
            Assert.True(finished);
            Assert.Equal(1, result);
            Assert.Equal(0.01, loop.Time(), 6);
        });
    }

    // CPython: test_queues.py QueueGetTests.test_nonblocking_get
    [Fact]
    public void GetNoWait_ItemPresent_ReturnsIt()
    {
        var q = Create();
        q.PutNoWait(1);
        Assert.Equal(1, q.GetNoWait());
    }

    // CPython: test_queues.py QueueGetTests.test_nonblocking_get_exception
    [Fact]
    public void GetNoWait_Empty_ThrowsQueueEmpty()
    {
        var q = Create();
        Throws<QueueEmptyError>(() => q.GetNoWait(), "empty");
        Assert.False(q.TryGet(out _));
    }

    // CPython: test_queues.py QueueGetTests.test_get_cancelled_race
    [Fact]
    public void GetAsync_FirstGetterCancelled_ItemGoesToTheSecond()
    {
        RunAio(async () =>
        {
            var q = Create();
            var t1 = Aio.CreateTask(q.GetAsync().AsCoroutine());
            var t2 = Aio.CreateTask(q.GetAsync().AsCoroutine());
            await Yield();
            t1.Cancel();
            await Yield();
            Assert.True(t1.IsDone);
            await q.PutAsync(7);
            await Yield();
            Assert.Equal(7, await t2);
        });
    }

    // CPython: test_queues.py QueueGetTests.test_get_with_waiting_putters
    [Fact]
    public void GetAsync_WaitingPutters_ItemsComeInPutOrder()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            var a = Aio.CreateTask(q.PutAsync(1).AsCoroutine());
            var b = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
            Assert.Equal(1, await q.GetAsync());
            Assert.Equal(2, await q.GetAsync());
            await a;
            await b;
        });
    }

    // CPython: test_queues.py QueueGetTests.test_why_are_getters_waiting
    [Fact]
    public void GetAsync_ProducerAndConsumerOnBoundedQueue_BothFinish()
    {
        RunAio(async () =>
        {
            const int items = 5;
            var q = Create(1);

            async Coroutine Consumer()
            {
                for (int i = 0; i < items; i++)
                {
                    await q.GetAsync();
                }
            }

            async Coroutine Producer()
            {
                for (int i = 0; i < items; i++)
                {
                    await q.PutAsync(i);
                }
            }

            await TaskGroup.RunAsync(async tg =>
            {
                _ = tg.CreateTask(Producer());
                _ = tg.CreateTask(Consumer());
            });
            Assert.True(q.IsEmpty);
        });
    }

    // CPython: test_queues.py QueueGetTests.test_cancelled_getters_not_being_held_in_self_getters
    [Fact]
    public void GetAsync_TimedOut_LeavesNoGetterBehind()
    {
        RunAio(async () =>
        {
            var q = Create(5);
            await ThrowsAsync<TimeoutException>(async () => await Aio.WaitFor(q.GetAsync().AsCoroutine(), 0.1));
            Assert.Equal(0, Count(q, "getters"));
        });
    }

    // CPython: test_queues.py QueuePutTests.test_get_cancel_drop_many_pending_readers
    [Fact]
    public void GetAsync_WokenReaderCancelled_ItsItemGoesToAnotherReader()
    {
        RunAio(async () =>
        {
            var q = Create();
            AioTask<int> reader1 = null!, reader2 = null!, reader3 = null!;
            await TaskGroup.RunAsync(async tg =>
            {
                reader1 = tg.CreateTask(q.GetAsync().AsCoroutine());
                reader2 = tg.CreateTask(q.GetAsync().AsCoroutine());
                reader3 = tg.CreateTask(q.GetAsync().AsCoroutine());
                await Yield();

                q.PutNoWait(1);
                q.PutNoWait(2);
                reader1.Cancel();

                await ThrowsAsync<CancelledError>(async () => await reader1);
                await reader3;
            });

            // It is undefined in which order concurrent readers receive results.
            Assert.Equal(new HashSet<int> { 1, 2 }, new HashSet<int> { reader2.Result, reader3.Result });
        });
    }

    // ------------------------------------------------------------------ QueuePutTests

    // CPython: test_queues.py QueuePutTests.test_blocking_put
    [Fact]
    public void PutAsync_Unbounded_NeverWaits()
    {
        RunAio(async () =>
        {
            var q = Create();
            var put = q.PutAsync(1).GetAwaiter();
            Assert.True(put.IsCompleted);   // done at once, without a loop iteration
            await new PutAwaiterBox<int>(put);
            Assert.Equal(1, await q.GetAsync());
        });
    }

    // CPython: test_queues.py QueuePutTests.test_blocking_put_wait
    [Fact]
    public void PutAsync_FullQueue_WaitsForAGetLater()
    {
        RunAio(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var q = Create(1);
            var started = new AsyncEvent();
            bool finished = false;

            async Coroutine QueuePut()
            {
                started.Set();
                await q.PutAsync(1);
                await q.PutAsync(2);
                finished = true;
            }

            loop.CallLater(0.01, () => q.GetNoWait());
            var queuePutTask = Aio.CreateTask(QueuePut());
            await started.WaitAsync();
            Assert.False(finished);
            await queuePutTask;
            Assert.True(finished);
            Assert.Equal(0.01, loop.Time(), 6);
        });
    }

    // CPython: test_queues.py QueuePutTests.test_nonblocking_put
    [Fact]
    public void PutNoWait_Room_ItemCanBeGotten()
    {
        var q = Create();
        q.PutNoWait(1);
        Assert.Equal(1, q.GetNoWait());
    }

    // CPython: test_queues.py QueuePutTests.test_put_cancel_drop
    [Fact]
    public void PutAsync_WokenWriterCancelled_RetriedPutIsNotDropped()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            q.PutNoWait(1);

            // putting a second item has to block (qsize = 1)
            var writer = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
            await Yield();

            Assert.Equal(1, q.GetNoWait());

            writer.Cancel();
            try
            {
                await writer;
            }
            catch (CancelledError)
            {
                // try again
                writer = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
                await writer;
            }

            Assert.Equal(2, q.GetNoWait());
            Assert.Equal(0, q.Count);
        });
    }

    // CPython: test_queues.py QueuePutTests.test_nonblocking_put_exception
    [Fact]
    public void PutNoWait_Full_ThrowsQueueFull()
    {
        var q = Create(1);
        q.PutNoWait(1);
        Throws<QueueFullError>(() => q.PutNoWait(2), "full");
        Assert.False(q.TryPut(2));
        Assert.Equal(1, q.Count);
    }

    // CPython: test_queues.py QueuePutTests.test_put_cancelled
    [Fact]
    public void PutAsync_InATask_FinishesWhenTheMainTaskGets()
    {
        RunAio(async () =>
        {
            var q = Create();

            async Coroutine<bool> QueuePut()
            {
                await q.PutAsync(1);
                return true;
            }

            var t = Aio.CreateTask(QueuePut());
            Assert.Equal(1, await q.GetAsync());
            Assert.True(t.IsDone);
            Assert.True(t.Result);
        });
    }

    // CPython: test_queues.py QueuePutTests.test_put_cancelled_race
    [Fact]
    public void PutAsync_ThirdPutterCancelled_SecondStillPuts()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            var putA = Aio.CreateTask(q.PutAsync(1).AsCoroutine());
            var putB = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
            var putC = Aio.CreateTask(q.PutAsync(99).AsCoroutine());

            await Yield();
            Assert.True(putA.IsDone);
            Assert.False(putB.IsDone);

            putC.Cancel();
            await Yield();
            Assert.True(putC.IsDone);
            Assert.Equal(1, q.GetNoWait());
            await Yield();
            Assert.Equal(2, q.GetNoWait());

            await putB;
        });
    }

    // CPython: test_queues.py QueuePutTests.test_put_with_waiting_getters
    [Fact]
    public void PutAsync_WaitingGetter_GetsTheItem()
    {
        RunAio(async () =>
        {
            var q = Create();
            var t = Aio.CreateTask(q.GetAsync().AsCoroutine());
            await Yield();
            await q.PutAsync(5);
            Assert.Equal(5, await t);
        });
    }

    // CPython: test_queues.py QueuePutTests.test_why_are_putters_waiting
    [Fact]
    public void PutAsync_PuttersBlockedUntilGetterEmptiesQueue_AllFinish()
    {
        RunAio(async () =>
        {
            var q = Create(2);

            async Coroutine Putter(int item) => await q.PutAsync(item);

            async Coroutine Getter()
            {
                await Yield();
                int num = q.Count;
                for (int i = 0; i < num; i++)
                {
                    q.GetNoWait();
                }
            }

            await TaskGroup.RunAsync(async tg =>
            {
                _ = tg.CreateTask(Getter());
                _ = tg.CreateTask(Putter(0));
                _ = tg.CreateTask(Putter(1));
                _ = tg.CreateTask(Putter(2));
                _ = tg.CreateTask(Putter(3));
            });
            Assert.Equal(2, q.Count);
        });
    }

    // CPython: test_queues.py QueuePutTests.test_cancelled_puts_not_being_held_in_self_putters
    [Fact]
    public void PutAsync_Cancelled_LeavesNoPutterBehind()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            q.PutNoWait(1);

            var putTask = Aio.CreateTask(q.PutAsync(1).AsCoroutine());
            await Yield();

            Assert.Equal(1, Count(q, "putters"));
            putTask.Cancel();
            await ThrowsAsync<CancelledError>(async () => await putTask);
            Assert.Equal(0, Count(q, "putters"));
        });
    }

    // CPython: test_queues.py QueuePutTests.test_cancelled_put_silence_value_error_exception
    [Fact]
    public void PutAsync_CancelledAfterAGetWokeIt_ThrowsCancelledErrorOnly()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            q.PutNoWait(1);

            var putTask = Aio.CreateTask(q.PutAsync(1).AsCoroutine());
            await Yield();

            q.GetNoWait();      // wakes put_task's wait
            putTask.Cancel();   // then cancels it
            await ThrowsAsync<CancelledError>(async () => await putTask);
            Assert.True(q.IsEmpty);
            Assert.Equal(0, Count(q, "putters"));
        });
    }

    // Ours (queues.py put(): a woken putter cancelled before it runs passes the free slot on): no slot is lost.
    [Fact]
    public void PutAsync_WokenPutterCancelled_FreeSlotGoesToTheNextPutter()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            q.PutNoWait(1);
            var p1 = Aio.CreateTask(q.PutAsync(2).AsCoroutine());
            var p2 = Aio.CreateTask(q.PutAsync(3).AsCoroutine());
            await Yield();

            Assert.Equal(1, q.GetNoWait());   // wakes p1
            p1.Cancel();                       // p1 is cancelled before it runs
            await ThrowsAsync<CancelledError>(async () => await p1);
            await p2;
            Assert.Equal(3, q.GetNoWait());
            Assert.True(q.IsEmpty);
        });
    }

    // Ours (asyncio's coroutines are cold: create_task(q.get()) followed by cancel() never runs q.get(), so the item
    // stays in the queue). Adapted from test_queues.py QueuePutTests.test_get_cancel_drop_one_pending_reader.
    [Fact]
    public void GetAsync_TaskCancelledBeforeItsFirstStep_ItemIsNotTaken()
    {
        RunAio(async () =>
        {
            var q = Create();
            q.PutNoWait(1);
            var reader = Aio.CreateTask(q.GetAsync().AsCoroutine());
            reader.Cancel();
            await ThrowsAsync<CancelledError>(async () => await reader);
            Assert.Equal(1, q.Count);
            Assert.Equal(1, q.GetNoWait());
        });
    }

    // Ours (same, for put): a put task cancelled before it starts puts nothing.
    [Fact]
    public void PutAsync_TaskCancelledBeforeItsFirstStep_PutsNothing()
    {
        RunAio(async () =>
        {
            var q = Create();
            var writer = Aio.CreateTask(q.PutAsync(1).AsCoroutine());
            writer.Cancel();
            await ThrowsAsync<CancelledError>(async () => await writer);
            Assert.True(q.IsEmpty);
            Assert.Equal(0, q.UnfinishedTasks);
        });
    }

    // Ours (mixins._LoopBoundMixin): a queue that waited on one loop refuses to wait on another.
    [Fact]
    public void GetAsync_QueueBoundToAnotherLoop_ThrowsBoundToADifferentLoop()
    {
        var q = Create();
        using (var other = NewLoop())
        {
            other.RunUntilComplete(Bind(q));
        }

        RunAio(async () =>
        {
            var e = await ThrowsAnyAsync<InvalidOperationException>(async () => await q.GetAsync());
            Assert.Contains("bound to a different event loop", e.Message);
        });

        static async Coroutine Bind(AsyncQueue<int> queue)
        {
            var t = Aio.CreateTask(queue.GetAsync().AsCoroutine());
            await Yield();
            queue.PutNoWait(1);
            await t;
        }
    }

    // ------------------------------------------------------------------ _QueueJoinTestMixin

    // CPython: test_queues.py _QueueJoinTestMixin.test_task_done_underflow
    [Fact]
    public void TaskDone_MoreThanPut_ThrowsSayingCalledTooManyTimes()
    {
        var q = Create();
        Throws<InvalidOperationException>(q.TaskDone, "called too many times");
        q.PutNoWait(1);
        q.GetNoWait();
        q.TaskDone();
        Throws<InvalidOperationException>(q.TaskDone, "called too many times");
        Assert.Equal(0, q.UnfinishedTasks);
    }

    // CPython: test_queues.py _QueueJoinTestMixin.test_task_done
    [Fact]
    public void JoinAsync_TwoWorkersTaskDoneEveryItem_ReturnsOnceAllProcessed()
    {
        RunAio(async () =>
        {
            var q = Create();
            for (int i = 0; i < 100; i++)
            {
                q.PutNoWait(i);
            }

            int accumulator = 0;
            bool running = true;

            async Coroutine Worker()
            {
                while (running)
                {
                    int item = await q.GetAsync();
                    accumulator += item;
                    q.TaskDone();
                }
            }

            await TaskGroup.RunAsync(async tg =>
            {
                var tasks = new[] { tg.CreateTask(Worker()), tg.CreateTask(Worker()) };
                await q.JoinAsync();
                Assert.Equal(Enumerable.Range(0, 100).Sum(), accumulator);

                // close the running workers
                running = false;
                for (int i = 0; i < tasks.Length; i++)
                {
                    q.PutNoWait(0);
                }
            });
        });
    }

    // CPython: test_queues.py _QueueJoinTestMixin.test_join_empty_queue
    [Fact]
    public void JoinAsync_NothingPut_ReturnsAtOnceTwice()
    {
        RunAio(async () =>
        {
            var q = Create();
            var join = q.JoinAsync().GetAwaiter();
            Assert.True(join.IsCompleted);
            await new JoinAwaiterBox<int>(join);
            await q.JoinAsync();
            Assert.Equal(0.0, Aio.GetRunningLoop().Time());
        });
    }

    // CPython: test_queues.py _QueueJoinTestMixin.test_format
    [Fact]
    public void ToString_ShowsMaxSizeAndUnfinishedTasks()
    {
        var q = Create();
        Assert.Contains("maxsize=0", q.ToString());
        q.PutNoWait(1);
        q.PutNoWait(2);
        q.GetNoWait();
        Assert.Equal(2, Count(q, "unfinished"));
        Assert.Equal(2, q.UnfinishedTasks);
    }

    // Ours: join waits until the last TaskDone, not merely until the queue is empty.
    [Fact]
    public void JoinAsync_ItemsGottenButNotDone_WaitsForTheLastTaskDone()
    {
        RunAio(async () =>
        {
            var q = Create();
            q.PutNoWait(1);
            q.PutNoWait(2);
            var join = Aio.CreateTask(q.JoinAsync().AsCoroutine());
            q.GetNoWait();
            q.GetNoWait();
            await Yield(2);
            Assert.False(join.IsDone);
            q.TaskDone();
            await Yield(2);
            Assert.False(join.IsDone);
            q.TaskDone();
            await Yield(2);
            Assert.True(join.IsCompletedSuccessfully);
        });
    }

    // ------------------------------------------------------------------ _QueueShutdownTestMixin (3.13)

    // CPython: test_queues.py _QueueShutdownTestMixin.test_format
    [Fact]
    public void ToString_AfterShutdown_SaysShutdown()
    {
        var q = Create();
        q.Shutdown();
        Assert.Contains("shutdown", q.ToString());
        Assert.True(q.IsShutDown);
    }

    // CPython: test_queues.py _QueueShutdownTestMixin.test_shutdown_empty
    [Fact]
    public void Shutdown_EmptyQueueWithWaitingGetter_GetterAndLaterCallsThrowShutDown()
    {
        RunAio(async () =>
        {
            var q = Create();
            var getTask = Aio.CreateTask(q.GetAsync().AsCoroutine());
            await Yield();   // the get task waits before the shutdown

            q.Shutdown(immediate: false);   // unfinished tasks: 0 -> 0
            Assert.Equal(0, q.Count);

            await q.JoinAsync();   // join() finishes

            await Yield();
            Assert.True(getTask.IsDone);
            await ThrowsAsync<QueueShutDownError>(async () => await getTask);

            await ThrowsAsync<QueueShutDownError>(async () => await q.PutAsync(1));
            Throws<QueueShutDownError>(() => q.PutNoWait(1));
            await ThrowsAsync<QueueShutDownError>(async () => await q.GetAsync());
            Throws<QueueShutDownError>(() => q.GetNoWait());
        });
    }

    // CPython: test_queues.py _QueueShutdownTestMixin.test_shutdown_nonempty
    [Fact]
    public void Shutdown_NonEmptyWithWaitingPutter_PutterFailsItemsStillGettableJoinWaits()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            q.PutNoWait(1);
            var joinTask = Aio.CreateTask(q.JoinAsync().AsCoroutine());
            var putTask = Aio.CreateTask(q.PutAsync(2).AsCoroutine());

            await Yield();
            Assert.False(putTask.IsDone);

            q.Shutdown(immediate: false);   // unfinished tasks: 1 -> 1
            Assert.Equal(1, q.Count);

            await Yield();
            Assert.True(putTask.IsDone);
            await ThrowsAsync<QueueShutDownError>(async () => await putTask);

            Assert.Equal(1, await q.GetAsync());   // the queued item can still be gotten

            await Yield();
            Assert.False(joinTask.IsDone);

            await ThrowsAsync<QueueShutDownError>(async () => await q.PutAsync(3));
            Throws<QueueShutDownError>(() => q.PutNoWait(3));
            await ThrowsAsync<QueueShutDownError>(async () => await q.GetAsync());
            Throws<QueueShutDownError>(() => q.GetNoWait());

            q.TaskDone();   // one unfinished task: join() succeeds
            await Yield();
            Assert.True(joinTask.IsDone);
            await joinTask;

            Throws<InvalidOperationException>(q.TaskDone, "too many times");
        });
    }

    // CPython: test_queues.py _QueueShutdownTestMixin.test_shutdown_immediate
    [Fact]
    public void ShutdownImmediate_DropsItemsAndReleasesJoin()
    {
        RunAio(async () =>
        {
            var q = Create();
            q.PutNoWait(1);
            var joinTask = Aio.CreateTask(q.JoinAsync().AsCoroutine());

            q.Shutdown(immediate: true);   // unfinished tasks: 1 -> 0
            Assert.Equal(0, q.Count);

            await Yield();
            Assert.True(joinTask.IsDone);
            await joinTask;

            await ThrowsAsync<QueueShutDownError>(async () => await q.PutAsync(1));
            Throws<QueueShutDownError>(() => q.PutNoWait(1));
            await ThrowsAsync<QueueShutDownError>(async () => await q.GetAsync());
            Throws<QueueShutDownError>(() => q.GetNoWait());

            Throws<InvalidOperationException>(q.TaskDone, "too many times");
        });
    }

    // CPython: test_queues.py _QueueShutdownTestMixin.test_shutdown_immediate_with_unfinished
    [Fact]
    public void ShutdownImmediate_WithAnItemGottenNotDone_JoinWaitsForItsTaskDone()
    {
        RunAio(async () =>
        {
            var q = Create();
            q.PutNoWait(1);
            q.PutNoWait(1);
            var joinTask = Aio.CreateTask(q.JoinAsync().AsCoroutine());
            Assert.Equal(1, await q.GetAsync());

            q.Shutdown(immediate: true);   // unfinished tasks: 2 -> 1
            Assert.Equal(0, q.Count);

            await Yield();
            Assert.False(joinTask.IsDone);

            await ThrowsAsync<QueueShutDownError>(async () => await q.PutAsync(1));
            Throws<QueueShutDownError>(() => q.PutNoWait(1));
            await ThrowsAsync<QueueShutDownError>(async () => await q.GetAsync());
            Throws<QueueShutDownError>(() => q.GetNoWait());

            q.TaskDone();   // the one unfinished task
            Throws<InvalidOperationException>(q.TaskDone, "too many times");

            await Yield();
            Assert.True(joinTask.IsDone);
            await joinTask;
        });
    }

    // Ours (queues.py shutdown(): "All getters need to re-check queue-empty to raise ShutDown"): every blocked getter.
    [Fact]
    public void Shutdown_SeveralWaitingGetters_AllThrowShutDown()
    {
        RunAio(async () =>
        {
            var q = Create();
            var getters = Enumerable.Range(0, 3).Select(_ => Aio.CreateTask(q.GetAsync().AsCoroutine())).ToList();
            await Yield();
            Assert.Equal(3, Count(q, "getters"));
            q.Shutdown();
            foreach (var g in getters)
            {
                await ThrowsAsync<QueueShutDownError>(async () => await g);
            }

            Assert.Equal(0, Count(q, "getters"));
        });
    }

    // Ours (queues.py shutdown(immediate=True)): waiting putters fail, the queue is emptied and join() is released.
    [Fact]
    public void ShutdownImmediate_WaitingPuttersAndJoin_PuttersFailJoinReturns()
    {
        RunAio(async () =>
        {
            var q = Create(2);
            q.PutNoWait(1);
            q.PutNoWait(2);
            var putters = Enumerable.Range(3, 2).Select(i => Aio.CreateTask(q.PutAsync(i).AsCoroutine())).ToList();
            var join = Aio.CreateTask(q.JoinAsync().AsCoroutine());
            await Yield();
            Assert.Equal(2, Count(q, "putters"));

            q.Shutdown(immediate: true);
            Assert.True(q.IsEmpty);
            Assert.Equal(0, q.UnfinishedTasks);
            foreach (var p in putters)
            {
                await ThrowsAsync<QueueShutDownError>(async () => await p);
            }

            await join;
            Assert.True(q.IsEmpty);
        });
    }

    // Ours (queues.py get() after a non-immediate shutdown): the remaining items come out, then QueueShutDown.
    [Fact]
    public void GetAsync_AfterShutdown_DrainsRemainingItemsThenThrows()
    {
        RunAio(async () =>
        {
            var q = Create();
            q.PutNoWait(1);
            q.PutNoWait(2);
            q.Shutdown();
            var got = new List<int> { await q.GetAsync(), await q.GetAsync() };
            Assert.Equal([1, 2], got.Order());
            await ThrowsAsync<QueueShutDownError>(async () => await q.GetAsync());
            Assert.Equal(2, q.UnfinishedTasks);
        });
    }

    // ------------------------------------------------------------------ await foreach (ours)

    // Ours: `await foreach` consumes until shutdown, taking the items left at shutdown first.
    [Fact]
    public void AwaitForeach_ShutdownWithItemsLeft_YieldsThemThenEnds()
    {
        RunAio(async () =>
        {
            var q = Create();
            var got = new List<int>();

            async Coroutine Consume()
            {
                await foreach (int x in q)
                {
                    got.Add(x);
                    q.TaskDone();
                }
            }

            var consumer = Aio.CreateTask(Consume());
            await Yield();      // the consumer waits on the empty queue
            q.PutNoWait(1);
            for (int i = 0; i < 10 && got.Count == 0; i++)
            {
                await Yield();
            }

            Assert.Equal([1], got);

            q.PutNoWait(2);
            q.PutNoWait(3);
            q.Shutdown();       // not immediate: 2 and 3 are still delivered
            await consumer;
            Assert.Equal([1, 2, 3], got.Order());
            Assert.Equal(0, q.UnfinishedTasks);
        });
    }

    // Ours: `await foreach` parked on an empty queue ends (without error) at an immediate shutdown.
    [Fact]
    public void AwaitForeach_ParkedAtImmediateShutdown_EndsWithoutError()
    {
        RunAio(async () =>
        {
            var q = Create();
            int count = 0;

            async Coroutine Consume()
            {
                await foreach (int x in q)
                {
                    count++;
                }
            }

            var consumer = Aio.CreateTask(Consume());
            await Yield();
            q.Shutdown(immediate: true);
            await consumer;
            Assert.True(consumer.IsCompletedSuccessfully);
            Assert.Equal(0, count);
        });
    }

    // Ours (tasks.py cancel semantics: one cancel() request throws CancelledError once): a consumer that catches the
    // CancelledError ending its `await foreach` and goes on is not cancelled a second time at its next await.
    [Fact]
    public void AwaitForeach_TaskCancelledWhileWaiting_CancelledErrorDeliveredOnlyOnce()
    {
        RunAio(async () =>
        {
            var q = Create();

            async Coroutine<string> Consume()
            {
                try
                {
                    await foreach (int x in q)
                    {
                    }
                }
                catch (CancelledError)
                {
                    // handled: carry on
                }

                await Aio.Sleep(0);
                return "survived";
            }

            var consumer = Aio.CreateTask(Consume());
            await Yield();
            consumer.Cancel();
            var outcome = (await Aio.Gather(new[] { consumer }, returnExceptions: true))[0];
            Assert.True(outcome.IsSuccess, $"one Cancel() was delivered twice: {outcome}");
            Assert.Equal("survived", outcome.Value);
        });
    }

    // Ours (tasks.py: cancel() interrupts whatever the task awaits): a consumer iterating WithCancellation(token) is still
    // cancelled by its task's Cancel(), not only by the token.
    [Fact]
    public void AwaitForeach_WithOwnTokenTaskCancelled_EndsCancelled()
    {
        RunAio(async () =>
        {
            var q = Create();
            using var cts = new CancellationTokenSource();   // never cancelled

            async Coroutine Consume()
            {
                await foreach (int x in q.WithCancellation(cts.Token))
                {
                }
            }

            var consumer = Aio.CreateTask(Consume());
            await Yield();
            consumer.Cancel();
            await Aio.Wait(new[] { consumer }, timeout: 1.0);
            string state = consumer.ToString();
            bool cancelledInTime = consumer.IsCancelled;
            q.Shutdown();   // lets a consumer that ignored the cancel finish, so the failure below is reported as such
            await Aio.Gather(new[] { consumer }, returnExceptions: true);
            Assert.True(cancelledInTime, $"Cancel() did not end the task awaiting the enumerator within 1 s: {state}");
        });
    }

    // Ours: a cancelled token passed with WithCancellation ends the loop with OperationCanceledException carrying it.
    [Fact]
    public void AwaitForeach_TokenCancelledWhileWaiting_ThrowsOceWithThatToken()
    {
        RunAio(async () =>
        {
            var q = Create();
            using var cts = new CancellationTokenSource();
            var got = new List<int>();

            async Coroutine Consume()
            {
                await foreach (int x in q.WithCancellation(cts.Token))
                {
                    got.Add(x);
                }
            }

            var consumer = Aio.CreateTask(Consume());
            await Yield();
            q.PutNoWait(1);
            for (int i = 0; i < 10 && got.Count == 0; i++)
            {
                await Yield();
            }

            Assert.Equal([1], got);
            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await consumer);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal([1], got);
            Assert.Equal(0, Count(q, "getters"));

            q.PutNoWait(2);   // nothing consumes it any more
            Assert.Equal(1, q.Count);
        });
    }

    // Ours: a consumer task cancelled right after it was woken for an item: the item is delivered exactly once (to the
    // cancelled consumer before it ends - a foreign await cannot be interrupted - or to the other consumer), never lost.
    [Fact]
    public void AwaitForeach_WokenConsumerCancelled_ItemDeliveredExactlyOnce()
    {
        RunAio(async () =>
        {
            var q = Create();
            var got = new List<string>();

            async Coroutine Consume(string name)
            {
                await foreach (int x in q)
                {
                    got.Add($"{name}{x}");
                }
            }

            var a = Aio.CreateTask(Consume("a"));
            var b = Aio.CreateTask(Consume("b"));
            await Yield();
            q.PutNoWait(1);   // wakes a
            a.Cancel();       // a is cancelled before it runs
            await ThrowsAnyAsync<OperationCanceledException>(async () => await a);
            Assert.True(a.IsCancelled);
            await Yield(3);
            Assert.Single(got);
            Assert.True(q.IsEmpty);
            q.Shutdown();
            await b;
        });
    }

    // ------------------------------------------------------------------ CancellationToken (ours)

    // Ours: a getter's token cancelled while it waits ends only that get; the others are served in order.
    [Fact]
    public void GetAsync_TokenCancelledWhileWaiting_ThrowsOceWithThatTokenAndKeepsFifo()
    {
        RunAio(async () =>
        {
            var q = Create();
            using var cts = new CancellationTokenSource();
            var order = new List<string>();

            async Coroutine G(string name, CancellationToken token)
            {
                int x = await q.GetAsync(token);
                order.Add($"{name}{x}");
            }

            var a = Aio.CreateTask(G("a", default));
            var b = Aio.CreateTask(G("b", cts.Token));
            var c = Aio.CreateTask(G("c", default));
            await Yield();
            Assert.Equal(3, Count(q, "getters"));

            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await b);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(2, Count(q, "getters"));

            q.PutNoWait(1);
            await a;
            q.PutNoWait(2);
            await c;
            Assert.Equal(["a1", "c2"], order);
            Assert.True(q.IsEmpty);
        });
    }

    // Ours: a putter's token cancelled while it waits for room: its item is not added; the next putter gets the slot.
    [Fact]
    public void PutAsync_TokenCancelledWhileWaiting_ThrowsOceWithThatTokenItemNotAdded()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            using var cts = new CancellationTokenSource();
            q.PutNoWait(1);
            var b = Aio.CreateTask(q.PutAsync(2, cts.Token).AsCoroutine());
            var c = Aio.CreateTask(q.PutAsync(3).AsCoroutine());
            await Yield();
            Assert.Equal(2, Count(q, "putters"));

            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await b);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(1, Count(q, "putters"));

            Assert.Equal(1, q.GetNoWait());
            await c;
            Assert.Equal(3, q.GetNoWait());
            Assert.True(q.IsEmpty);
            Assert.Equal(2, q.UnfinishedTasks);
        });
    }

    // Ours: JoinAsync with a token cancelled while it waits.
    [Fact]
    public void JoinAsync_TokenCancelledWhileWaiting_ThrowsOceWithThatToken()
    {
        RunAio(async () =>
        {
            var q = Create();
            using var cts = new CancellationTokenSource();
            q.PutNoWait(1);
            var join = Aio.CreateTask(q.JoinAsync(cts.Token).AsCoroutine());
            await Yield();
            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await join);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(1, q.UnfinishedTasks);
            q.GetNoWait();
            q.TaskDone();
            await q.JoinAsync();
        });
    }

    // Ours: a token from a CancellationTokenSource timed on the loop's (virtual) clock ends the get at that time.
    [Fact]
    public void GetAsync_TokenTimedOnTheLoopClock_ThrowsOceAtThatTime()
    {
        RunAio(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var q = Create();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2), loop.Clock);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await q.GetAsync(cts.Token));
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(2.0, loop.Time(), 6);
            Assert.Equal(0, Count(q, "getters"));
        });
    }

    // Ours (WaitQueue compaction): many getters, most of them cancelled: items go to the rest in arrival order.
    [Fact]
    public void PutNoWait_ManyGettersMostCancelled_ItemsGoToTheRestInArrivalOrder()
    {
        RunAio(async () =>
        {
            var q = Create();
            var got = new List<(int Getter, int Item)>();

            async Coroutine G(int id) => got.Add((id, await q.GetAsync()));

            var tasks = Enumerable.Range(0, 100).Select(i => Aio.CreateTask(G(i))).ToList();
            await Yield();
            for (int i = 0; i < 100; i++)
            {
                if (i % 10 != 7)
                {
                    tasks[i].Cancel();
                }
            }

            await Yield(2);
            Assert.Equal(10, Count(q, "getters"));
            for (int k = 0; k < 10; k++)
            {
                q.PutNoWait(k);
                await Yield();
            }

            await Aio.Gather(tasks, returnExceptions: true);
            Assert.Equal(Enumerable.Range(0, 10).Select(k => ((k * 10) + 7, k)), got);
        });
    }

    // Ours: an already-cancelled token on an empty queue fails without waiting and leaves no getter behind.
    [Fact]
    public void GetAsync_TokenAlreadyCancelledEmptyQueue_ThrowsAtOnceLeavingNoGetter()
    {
        RunAio(async () =>
        {
            var q = Create();
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await q.GetAsync(cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
            Assert.Equal(0, Count(q, "getters"));
            q.PutNoWait(1);
            Assert.Equal(1, await q.GetAsync());
        });
    }

    // Ours: an already-cancelled token on a full queue fails without waiting; nothing is added.
    [Fact]
    public void PutAsync_TokenAlreadyCancelledFullQueue_ThrowsAtOnceAddingNothing()
    {
        RunAio(async () =>
        {
            var q = Create(1);
            q.PutNoWait(1);
            var cancelled = new CancellationToken(true);
            var e = await ThrowsAsync<OperationCanceledException>(async () => await q.PutAsync(2, cancelled));
            Assert.Equal(cancelled, e.CancellationToken);
            Assert.Equal(0, Count(q, "putters"));
            Assert.Equal(1, q.Count);
            Assert.Equal(1, q.UnfinishedTasks);
        });
    }

    // Ours (.NET convention, as ChannelReader.ReadAsync / ChannelWriter.WriteAsync): an already-cancelled token fails at
    // once even when an item is there (get) or there is room (put), and the queue is unchanged.
    [Fact]
    public void GetAndPutAsync_TokenAlreadyCancelledNoWaitNeeded_ThrowAndLeaveTheQueueUnchanged()
    {
        RunAio(async () =>
        {
            var q = Create();
            q.PutNoWait(1);
            var cancelled = new CancellationToken(true);
            var g = await ThrowsAsync<OperationCanceledException>(async () => await q.GetAsync(cancelled));
            Assert.Equal(cancelled, g.CancellationToken);
            Assert.Equal(1, q.Count);

            var p = await ThrowsAsync<OperationCanceledException>(async () => await q.PutAsync(2, cancelled));
            Assert.Equal(cancelled, p.CancellationToken);
            Assert.Equal(1, q.Count);
            Assert.Equal(1, q.UnfinishedTasks);
        });
    }

    // ------------------------------------------------------------------ allocation (ours)

    // Ours (AsyncQueue remarks: "Uncontended puts and gets allocate nothing").
    [Fact]
    public void PutGet_Uncontended_AllocatesNothing()
    {
        long allocated = -1;
        RunAio(async () =>
        {
            var q = Create(4);
            for (int round = 0; round < 2; round++)
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                for (int i = 0; i < AllocationRounds; i++)
                {
                    await q.PutAsync(i);
                    await q.PutAsync(i + 1);
                    await q.GetAsync();
                    await q.GetAsync();
                    q.TaskDone();
                    q.TaskDone();
                }

                allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            }

            Assert.True(q.IsEmpty);
            await q.JoinAsync();
        });
        Assert.Equal(0, allocated);
    }
}
