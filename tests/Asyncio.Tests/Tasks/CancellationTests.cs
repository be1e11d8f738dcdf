namespace Asyncio.Tests.Tasks;

/// <summary>
/// Ports of CPython's test_tasks.py cancellation tests: cancel before the first step, at a future / task / sleep /
/// yield, messages, counts, uncancel, self-cancel, cancellation travelling down an await chain.
/// </summary>
public class CancellationTests
{
    private static async Coroutine Sleep(double seconds) => await Aio.Sleep(seconds);

    private static async Coroutine<int> SleepThenReturn(double seconds, int value)
    {
        await Aio.Sleep(seconds);
        return value;
    }

    // ------------------------------------------------------------------ before the first step

    // CPython: test_tasks.py BaseTaskTests.test_task_cancel_message_getter
    [Fact]
    public void Cancel_BeforeFirstStep_BodyNeverRunsAndErrorCarriesTheMessage()
    {
        using var loop = new EventLoop(Loops.Virtual());
        bool ran = false;
        async Coroutine Coro() => ran = true;

        AioTask t = loop.CreateTask(Coro());
        Assert.True(t.Cancel("my message"));
        Assert.False(t.IsDone);   // a request; it takes effect at the task's next step

        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Equal("my message", e.CancelMessage);
        Assert.Equal("my message", e.Message);
        Assert.False(ran);
        Assert.True(t.IsCancelled);
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_PlainDotNetTaskBeforeItsFirstStep_ItsFunctionNeverRuns()
    {
        Aio.Run(async () =>
        {
            bool ran = false;
            AioTask t = Aio.CreateTask(() =>
            {
                ran = true;
                return Task.CompletedTask;
            });
            Assert.True(t.Cancel("not now"));
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("not now", e.CancelMessage);
            Assert.False(ran);
            Assert.True(t.IsCancelled);
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_with_message_before_starting_task
    [Fact]
    public void Exception_OfTaskCancelledBeforeStarting_ThrowsCancelledErrorWithMessage()
    {
        Aio.Run(async () =>
        {
            AioTask task = Aio.CreateTask(Sleep(10));
            task.Cancel("my message");   // deliberately no sleep before
            await Loops.WaitDone(task);
            var e = Assert.Throws<CancelledError>(() => task.Exception);
            Assert.Equal("my message", e.CancelMessage);
        }, Loops.Virtual());
    }

    // ------------------------------------------------------------------ counts, uncancel

    // CPython: test_tasks.py BaseTaskTests.test_cancelling
    [Fact]
    public void Cancelling_CountsEveryRequest_AndCancelTwiceReturnsTrueBothTimes()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask t = loop.CreateTask(Sleep(10));
        Assert.Equal(0, t.Cancelling());
        Assert.True(t.Cancel());
        Assert.Equal(1, t.Cancelling());
        Assert.True(t.Cancel());
        Assert.Equal(2, t.Cancelling());

        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.True(t.IsCancelled);
        Assert.False(t.Cancel());
        Assert.Equal(2, t.Cancelling());
    }

    // CPython: test_tasks.py BaseTaskTests.test_uncancel_basic
    [Fact]
    public void Uncancel_AfterCatchingTheCancel_TaskGoesOnAndCanBeCancelledAgain()
    {
        using var loop = new EventLoop(Loops.Virtual());
        async Coroutine Task()
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError)
            {
                Aio.CurrentTask!.Uncancel();
                await Aio.Sleep(10);
            }
        }

        AioTask t = loop.CreateTask(Task());
        loop.RunUntilComplete(SleepThenReturn(0.01, 0));

        // Cancel the first sleep.
        Assert.True(t.Cancel());
        Assert.Equal(1, t.Cancelling());
        Assert.False(t.IsCancelled);   // still not complete
        loop.RunUntilComplete(SleepThenReturn(0.01, 0));

        // After Uncancel().
        Assert.Equal(0, t.Cancelling());
        Assert.False(t.IsDone);

        // Cancel the second sleep.
        Assert.True(t.Cancel());
        Assert.Equal(1, t.Cancelling());
        Assert.False(t.IsCancelled);
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.True(t.IsCancelled);
        Assert.True(t.IsDone);

        // Uncancel is no longer effective once the task is complete.
        t.Uncancel();
        Assert.True(t.IsCancelled);
        Assert.True(t.IsDone);
    }

    // CPython: test_tasks.py BaseTaskTests.test_uncancel_structured_blocks
    [Theory]
    [InlineData(10.0, 0.1, true, false)]   // timed out: the structured block was cancelled
    [InlineData(0.0, 10.0, false, true)]   // did not time out
    public void Uncancel_InAStructuredTimeoutBlock_OnlyTheBlockIsCancelled(
        double sleep, double timeout, bool expectTimedOut, bool expectBlockFinished)
    {
        using var loop = new EventLoop(Loops.Virtual());

        async Coroutine<(bool TimedOut, bool BlockFinished, bool OuterReached)> MakeRequestWithTimeout()
        {
            AioTask task = Aio.CurrentTask!;
            bool timedOut = false, blockFinished = false;
            TimerHandle timeoutHandle = loop.CallLater(timeout, () =>
            {
                timedOut = true;
                task.Cancel();
            });
            try
            {
                CancelledError? cancelled = null;
                try
                {
                    await Aio.Sleep(sleep);   // the structured block affected by the timeout
                    blockFinished = true;
                }
                catch (CancelledError e)
                {
                    cancelled = e;
                    throw;
                }
                finally
                {
                    timeoutHandle.Cancel();
                    if (timedOut && task.Uncancel() == 0 && cancelled is not null)
                    {
                        throw new TimeoutException();
                    }
                }
            }
            catch (TimeoutException)
            {
                Assert.True(timedOut);
            }

            // Outer code not affected by the timeout:
            await Aio.Sleep(0);
            return (timedOut, blockFinished, true);
        }

        AioTask<(bool, bool, bool)> t = loop.CreateTask(MakeRequestWithTimeout());
        var (timedOut, blockFinished, outerReached) = loop.RunUntilComplete(t);
        Assert.Equal(expectTimedOut, timedOut);
        Assert.Equal(expectBlockFinished, blockFinished);
        Assert.True(outerReached);
        Assert.Equal(0, t.Cancelling());
        Assert.True(t.IsCompletedSuccessfully);
    }

    // CPython: test_tasks.py BaseTaskTests.test_uncancel_resets_must_cancel
    [Fact]
    public void Uncancel_ToZeroWhileACancelIsPending_DropsTheCancel()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut = new Future<bool>(loop);
        async Coroutine<int> Coro()
        {
            await fut;
            return 42;
        }

        AioTask<int> task = loop.CreateTask(Coro());
        Loops.RunBriefly(loop);   // the task now waits for fut
        fut.SetResult(true);      // the task is runnable: its wake-up is queued
        task.Cancel();            // cannot cancel fut (done): the cancel is pending for the next step
        Assert.Equal(1, task.Cancelling());
        Assert.Equal(0, task.Uncancel());   // undo it
        Assert.Equal(0, task.Cancelling());

        Assert.Equal(42, loop.RunUntilComplete(task));
        Assert.False(task.IsCancelled);
    }

    // The same scenario without Uncancel: asyncio throws CancelledError into the coroutine although fut succeeded.
    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_AfterTheAwaitedFutureCompletedButBeforeResume_CancelsAtThatAwait()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut = new Future<bool>(loop);
        bool pastAwait = false;
        async Coroutine<int> Coro()
        {
            await fut;
            pastAwait = true;
            return 42;
        }

        AioTask<int> task = loop.CreateTask(Coro());
        Loops.RunBriefly(loop);
        fut.SetResult(true);
        Assert.True(task.Cancel("late"));
        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(task));
        Assert.Equal("late", e.CancelMessage);
        Assert.False(pastAwait);
        Assert.True(task.IsCancelled);
        Assert.True(fut.IsCompletedSuccessfully);
    }

    // A sleep whose timer already fired (wake-up queued) behaves like a future that is already done.
    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_AfterTheSleepEndedButBeforeResume_CancelsAtThatSleep()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            AioTask? b = null;
            async Coroutine A()
            {
                await Aio.Sleep(1);
                log.Add("a woke; b pending=" + !b!.IsDone);
                b.Cancel();
            }

            async Coroutine B()
            {
                try
                {
                    await Aio.Sleep(1);
                    log.Add("b slept");
                }
                catch (CancelledError)
                {
                    log.Add("b cancelled");
                    throw;
                }
            }

            AioTask a = Aio.CreateTask(A());
            b = Aio.CreateTask(B());
            await a;
            await Loops.WaitDone(b);
            Assert.True(b.IsCancelled);
            Assert.Equal(1.0, Aio.GetRunningLoop().Time());
        }, Loops.Virtual());
        Assert.Equal(new[] { "a woke; b pending=True", "b cancelled" }, log);
    }

    // CPython: tasks.py 3.13 Task.uncancel() only clears _must_cancel; a future the cancel already cancelled still delivers it.
    [Fact]
    public void Uncancel_AfterTheAwaitedFutureWasCancelled_TheCancelIsStillDelivered()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut = new Future<bool>(loop);
        async Coroutine Coro() => await fut;

        AioTask task = loop.CreateTask(Coro());
        Loops.RunBriefly(loop);
        task.Cancel("first");
        Assert.True(fut.IsCancelled);
        Assert.Equal(0, task.Uncancel());
        Loops.RunBriefly(loop);
        Assert.True(task.IsCancelled);
        Assert.Equal("first", Assert.Throws<CancelledError>(() => task.Exception).CancelMessage);
    }

    // ------------------------------------------------------------------ at a sleep, a yield, a future

    // CPython: test_tasks.py BaseTaskTests.test_cancel
    [Fact]
    public void Cancel_SleepingTaskFromACallback_EndsCancelledAndCancelThenReturnsFalse()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask<int> t = loop.CreateTask(SleepThenReturn(10, 12));
        loop.CallSoon(() => t.Cancel());
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.True(t.IsDone);
        Assert.True(t.IsCancelled);
        Assert.False(t.Cancel());
        Assert.Equal(0.0, loop.Time());   // the 10 s sleep ended at once
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_yield
    [Fact]
    public void Cancel_TaskSuspendedOnSleepZero_EndsCancelled()
    {
        using var loop = new EventLoop(Loops.Virtual());
        bool reachedEnd = false;
        async Coroutine<int> Task()
        {
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            reachedEnd = true;
            return 12;
        }

        AioTask<int> t = loop.CreateTask(Task());
        Loops.RunBriefly(loop);   // start the coroutine
        Assert.True(t.Cancel());
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.True(t.IsDone);
        Assert.True(t.IsCancelled);
        Assert.False(t.Cancel());
        Assert.False(reachedEnd);
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void Cancel_TaskSleepingForever_EndsCancelled(bool timeSpanOverload)
    {
        double end = Aio.Run(async () =>
        {
            async Coroutine Forever()
            {
                if (timeSpanOverload)
                {
                    await Aio.Sleep(Timeout.InfiniteTimeSpan);
                }
                else
                {
                    await Aio.Sleep(double.PositiveInfinity);
                }
            }

            AioTask t = Aio.CreateTask(Forever());
            await Aio.Sleep(5);
            Assert.False(t.IsDone);
            Assert.True(t.Cancel("enough"));
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("enough", e.CancelMessage);
            return Aio.GetRunningLoop().Time();
        }, Loops.Virtual());
        Assert.Equal(5.0, end);
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_inner_future
    [Fact]
    public void Cancel_TheFutureATaskAwaits_TaskEndsCancelled()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var f = new Future<int>(loop);
        async Coroutine<int> Task()
        {
            await f;
            return 12;
        }

        AioTask<int> t = loop.CreateTask(Task());
        Loops.RunBriefly(loop);
        f.Cancel();
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.True(f.IsCancelled);
        Assert.True(t.IsCancelled);
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_both_task_and_inner_future
    [Fact]
    public void Cancel_BothTaskAndTheFutureItAwaits_TaskEndsCancelled()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var f = new Future<int>(loop);
        async Coroutine<int> Task()
        {
            await f;
            return 12;
        }

        AioTask<int> t = loop.CreateTask(Task());
        Loops.RunBriefly(loop);
        f.Cancel();
        t.Cancel();
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.True(t.IsDone);
        Assert.True(f.IsCancelled);
        Assert.True(t.IsCancelled);
    }

    // CPython: test_tasks.py BaseTaskTests.test_task_cancel_waiter_future
    [Fact]
    public void Cancel_TaskWaitingOnAFuture_CancelsThatFuture()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut = new Future<int>(loop);
        async Coroutine Coro() => await fut;

        AioTask task = loop.CreateTask(Coro());
        Loops.RunBriefly(loop);
        Assert.False(fut.IsDone);

        task.Cancel();
        Assert.True(fut.IsCancelled);   // at once: Cancel cancels the awaited future
        Assert.False(task.IsDone);
        Loops.RunBriefly(loop);
        Assert.True(task.IsCancelled);
        Assert.Throws<CancelledError>(() => task.Exception);
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_task_catching
    [Fact]
    public void Cancel_TaskCatchingTheCancel_ReturnsItsValueAndIsNotCancelled()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut1 = new Future<bool>(loop);
        var fut2 = new Future<bool>(loop);
        async Coroutine<int> Task()
        {
            await fut1;
            try
            {
                await fut2;
            }
            catch (CancelledError)
            {
                return 42;
            }

            return 0;
        }

        AioTask<int> t = loop.CreateTask(Task());
        Loops.RunBriefly(loop);
        fut1.SetResult(true);
        Loops.RunBriefly(loop);
        Assert.Contains("Future<Boolean> pending", t.ToString());   // waits on fut2
        t.Cancel();
        Assert.True(fut2.IsCancelled);
        Assert.Equal(42, loop.RunUntilComplete(t));
        Assert.False(t.IsCancelled);
        Assert.True(t.IsCompletedSuccessfully);
        Assert.Equal(1, t.Cancelling());
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_task_ignoring
    [Fact]
    public void Cancel_TaskIgnoringTheCancel_GoesOnToItsNextAwait()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut1 = new Future<bool>(loop);
        var fut2 = new Future<bool>(loop);
        var fut3 = new Future<int>(loop);
        async Coroutine<int> Task()
        {
            await fut1;
            try
            {
                await fut2;
            }
            catch (CancelledError)
            {
            }

            return await fut3;
        }

        AioTask<int> t = loop.CreateTask(Task());
        Loops.RunBriefly(loop);
        fut1.SetResult(true);
        Loops.RunBriefly(loop);
        t.Cancel();
        Assert.True(fut2.IsCancelled);
        Loops.RunBriefly(loop);
        Assert.False(t.IsDone);   // now waits on fut3
        fut3.SetResult(42);
        Assert.Equal(42, loop.RunUntilComplete(t));
        Assert.False(fut3.IsCancelled);
        Assert.False(t.IsCancelled);
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_CaughtWithoutUncancel_TheNextAwaitIsNotCancelled()
    {
        double end = Aio.Run(async () =>
        {
            async Coroutine<string> Body()
            {
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                }

                await Aio.Sleep(3);   // the cancel was delivered once; this sleep runs in full
                return "done";
            }

            AioTask<string> t = Aio.CreateTask(Body());
            await Aio.Sleep(1);
            t.Cancel();
            Assert.Equal("done", await t);
            Assert.Equal(1, t.Cancelling());
            Assert.False(t.IsCancelled);
            return Aio.GetRunningLoop().Time();
        }, Loops.Virtual());
        Assert.Equal(4.0, end);
    }

    // CPython: Task.cancel() leaves _fut_waiter; a second cancel() finds the future already cancelled and only sets
    // _must_cancel, and __step keeps the CancelledError the future delivers: the first message reaches the coroutine.
    [Fact]
    public void Cancel_TwiceWithDifferentMessagesWhileAwaitingAFuture_TheFirstMessageReachesTheCoroutine()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut = new Future<int>(loop);
        string? seen = null;
        async Coroutine Coro()
        {
            try
            {
                await fut;
            }
            catch (CancelledError e)
            {
                seen = e.CancelMessage;
                throw;
            }
        }

        AioTask t = loop.CreateTask(Coro());
        Loops.RunBriefly(loop);
        Assert.True(t.Cancel("first"));
        Assert.True(t.Cancel("second"));
        Assert.Equal(2, t.Cancelling());
        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Equal("first", seen);
        Assert.Equal("first", e.CancelMessage);
    }

    // The same for a sleep, which asyncio implements as a future plus a timer.
    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_TwiceWithDifferentMessagesWhileSleeping_TheFirstMessageReachesTheCoroutine()
    {
        using var loop = new EventLoop(Loops.Virtual());
        string? seen = null;
        async Coroutine Coro()
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError e)
            {
                seen = e.CancelMessage;
                throw;
            }
        }

        AioTask t = loop.CreateTask(Coro());
        Loops.RunBriefly(loop);
        t.Cancel("first");
        t.Cancel("second");
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Equal("first", seen);
    }

    // CPython: tasks.py Task.cancel (before the first step there is no future to cancel: the last message wins).
    [Fact]
    public void Cancel_TwiceBeforeTheFirstStep_TheLastMessageIsDelivered()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask t = loop.CreateTask(Sleep(10));
        t.Cancel("first");
        t.Cancel("second");
        Assert.Equal("second", Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t)).CancelMessage);
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_AnAwaitInFinallyDuringCancellation_RunsInFullThenTheTaskEndsCancelled()
    {
        double end = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            bool cleanedUp = false;
            async Coroutine Cleanup()
            {
                await Aio.Sleep(2);   // not cancelled: the cancel was delivered once, at the sleep below
                cleanedUp = true;
            }

            async Coroutine Body()
            {
                try
                {
                    await Aio.Sleep(10);
                }
                finally
                {
                    await Cleanup();
                }
            }

            AioTask t = Aio.CreateTask(Body());
            await Aio.Sleep(1);
            t.Cancel("stop");
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("stop", e.CancelMessage);
            Assert.True(cleanedUp);
            Assert.True(t.IsCancelled);
            return loop.Time();
        }, Loops.Virtual());
        Assert.Equal(3.0, end);
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_FromAnotherThread_ThrowsSayingToUseCallSoonThreadSafe()
    {
        Loops.RunBounded(() => Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Sleep(10));
            Exception? fromWorker = await Aio.ToThread(() => Record.Exception(() => t.Cancel()));
            var e = Assert.IsType<InvalidOperationException>(fromWorker);
            Assert.Contains("Cancel", e.Message);
            Assert.Contains("CallSoonThreadSafe", e.Message);
            Assert.False(t.IsDone);
            Assert.Equal(0, t.Cancelling());
            t.Cancel();
            await Loops.WaitDone(t);
        }, Loops.Virtual()));
    }

    // ------------------------------------------------------------------ self-cancel, cancel at the end

    // CPython: test_tasks.py BaseTaskTests.test_cancel_current_task
    [Fact]
    public void Cancel_CurrentTaskThenSleep_TheSleepIsCancelledAtOnce()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask<int>? t = null;
        bool reachedEnd = false;
        async Coroutine<int> Task()
        {
            Assert.True(t!.Cancel());
            Assert.False(t.IsDone);
            await Aio.Sleep(100);   // cancelled immediately
            reachedEnd = true;
            return 12;
        }

        t = loop.CreateTask(Task());
        Assert.False(t.IsCancelled);
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.True(t.IsDone);
        Assert.True(t.IsCancelled);
        Assert.False(t.Cancel());
        Assert.False(reachedEnd);
        Assert.Equal(0.0, loop.Time());
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_CurrentTaskThenSleepZero_CancelledAtTheYield()
    {
        Aio.Run(async () =>
        {
            bool reachedEnd = false;
            async Coroutine Body()
            {
                Aio.CurrentTask!.Cancel("self");
                await Aio.Sleep(0);
                reachedEnd = true;
            }

            AioTask t = Aio.CreateTask(Body());
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("self", e.CancelMessage);
            Assert.False(reachedEnd);
            Assert.True(t.IsCancelled);
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_at_end
    [Fact]
    public void Cancel_RightBeforeTheCoroutineReturns_TaskEndsCancelled()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask<int>? t = null;
        async Coroutine<int> Task()
        {
            t!.Cancel("at end");
            return 12;
        }

        t = loop.CreateTask(Task());
        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Equal("at end", e.CancelMessage);
        Assert.True(t.IsDone);
        Assert.True(t.IsCancelled);
        Assert.False(t.Cancel());
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_awaited_task
    [Fact]
    public void Cancel_CurrentTaskThenAwaitATask_CancelsTheAwaitedTaskAndItsFuture()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask? task = null, nestedTask = null;
        var fut = new Future<bool>(loop);
        async Coroutine Nested() => await fut;
        async Coroutine Coro()
        {
            nestedTask = Aio.CreateTask(Nested());
            await Aio.Sleep(0);   // let it run
            task!.Cancel();       // request the current task be cancelled
            await nestedTask;     // the nested task is cancelled at once
        }

        task = loop.CreateTask(Coro());
        Assert.Throws<CancelledError>(() => loop.RunUntilComplete(task));
        Assert.True(task.IsCancelled);
        Assert.True(nestedTask!.IsCancelled);
        Assert.True(fut.IsCancelled);
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Coroutine_ThrowingCancelledErrorItself_EndsTheTaskCancelled()
    {
        using var loop = new EventLoop(Loops.Virtual());
        async Coroutine Body()
        {
            await Aio.Sleep(0);
            throw new CancelledError("by hand");
        }

        AioTask t = loop.CreateTask(Body());
        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Equal("by hand", e.CancelMessage);
        Assert.True(t.IsCancelled);
        Assert.False(t.IsFaulted);
        Assert.Equal(0, t.Cancelling());   // nobody called Cancel
    }

    // ------------------------------------------------------------------ messages

    // CPython: test_tasks.py BaseTaskTests.test_cancel_with_message_then_future_result
    [Theory]
    [InlineData(null)]
    [InlineData("my message")]
    public void Result_OfTaskCancelledWithMessage_ThrowsCancelledErrorWithThatMessage(string? message)
    {
        using var loop = new EventLoop(Loops.Virtual());
        async Coroutine Coro()
        {
            AioTask<int> task = Aio.CreateTask(SleepThenReturn(10, 1));
            await Aio.Sleep(0);
            task.Cancel(message);
            await Loops.WaitDone(task);
            _ = task.Result;   // throws
        }

        AioTask t = loop.CreateTask(Coro());
        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Equal(message, e.CancelMessage);
        Assert.Equal(message ?? CancelledError.DefaultMessage, e.Message);
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_with_message_then_future_exception
    [Theory]
    [InlineData(null)]
    [InlineData("my message")]
    public void Exception_OfTaskCancelledWithMessage_ThrowsCancelledErrorWithThatMessage(string? message)
    {
        using var loop = new EventLoop(Loops.Virtual());
        async Coroutine Coro()
        {
            AioTask task = Aio.CreateTask(Sleep(10));
            await Aio.Sleep(0);
            task.Cancel(message);
            await Loops.WaitDone(task);
            _ = task.Exception;   // throws
        }

        AioTask t = loop.CreateTask(Coro());
        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        Assert.Equal(message, e.CancelMessage);
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancellation_exception_context, test_baseexception_during_cancel
    [Fact]
    public void Cancel_CaughtAndRethrownAsAnotherError_TaskFailsWithThatErrorChainedToTheCancel()
    {
        using var loop = new EventLoop(Loops.Virtual());
        var fut = new Future<bool>(loop);
        async Coroutine Inner()
        {
            fut.SetResult(true);
            await Aio.Sleep(10);
        }

        async Coroutine Coro()
        {
            AioTask innerTask = Aio.CreateTask(Inner());
            await fut;
            loop.CallSoon(() => innerTask.Cancel("msg"));
            try
            {
                await innerTask;
            }
            catch (CancelledError ex)
            {
                throw new InvalidOperationException("cancelled", ex);
            }
        }

        AioTask task = loop.CreateTask(Coro());
        var e = Assert.Throws<InvalidOperationException>(() => loop.RunUntilComplete(task));
        Assert.Equal("cancelled", e.Message);
        var inner = Assert.IsType<CancelledError>(e.InnerException);
        Assert.Equal("msg", inner.CancelMessage);
        Assert.True(task.IsFaulted);
        Assert.False(task.IsCancelled);
        Assert.Same(e, task.Exception);
    }

    // CPython: test_tasks.py BaseTaskTests.test_cancel_traceback_for_future_result, ..._for_future_exception
    [Fact]
    public void CancelledError_SeenByTheAwaiter_ToStringShowsWhereTheTaskWasInterrupted()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask task = loop.CreateTask(TracebackCoro());
        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(task));
        string text = e.ToString();
        Assert.Contains(nameof(TracebackNested), text);   // "await asyncio.sleep(10)"
        Assert.Contains(nameof(TracebackCoro), text);     // "await task  # search target"
    }

    private static async Coroutine TracebackNested() => await Aio.Sleep(10);   // cancelled at once

    private static async Coroutine TracebackCoro()
    {
        AioTask task = Aio.CreateTask(TracebackNested());
        await Aio.Sleep(0);
        task.Cancel();
        await task;
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void CancelledError_IsAnOperationCanceledException_WithADefaultMessage()
    {
        using var loop = new EventLoop(Loops.Virtual());
        AioTask t = loop.CreateTask(Sleep(1));
        t.Cancel();
        var e = Assert.Throws<CancelledError>(() => loop.RunUntilComplete(t));
        _ = Assert.IsAssignableFrom<OperationCanceledException>(e);
        Assert.Null(e.CancelMessage);
        Assert.Equal(CancelledError.DefaultMessage, e.Message);
    }

    // ------------------------------------------------------------------ down an await chain

    // CPython: test_tasks.py BaseTaskTests.test_task_cancel_sleeping_task
    [Fact]
    public void Cancel_SleeperByATimer_TheAwaitingCoroutineSeesItCancelledAtThatTime()
    {
        using var loop = new EventLoop(Loops.Virtual());
        async Coroutine<string> DoIt()
        {
            AioTask sleeper = Aio.CreateTask(Sleep(5000));
            loop.CallLater(0.1, () => sleeper.Cancel());
            try
            {
                await sleeper;
            }
            catch (CancelledError)
            {
                return "cancelled";
            }

            return "slept in";
        }

        Assert.Equal("cancelled", loop.RunUntilComplete(DoIt()));
        Assert.Equal(0.1, loop.Time(), 9);
    }

    // CPython: test_tasks.py BaseTaskTests.test_yield_future_passes_cancel
    [Fact]
    public void Cancel_TaskAwaitingANestedCoroutine_TheCancelTravelsDownToTheFuture()
    {
        using var loop = new EventLoop(Loops.Virtual());
        int proof = 0;
        var waiter = new Future<bool>(loop);
        async Coroutine Inner()
        {
            try
            {
                await waiter;
            }
            catch (CancelledError)
            {
                proof += 1;
                throw;
            }

            Assert.Fail("got past the await in Inner()");
        }

        async Coroutine Outer()
        {
            try
            {
                await Inner();
                proof += 10;
            }
            catch (CancelledError)
            {
                proof += 100;   // expect this path
            }
        }

        AioTask f = loop.CreateTask(Outer());
        Loops.RunBriefly(loop);
        f.Cancel();
        loop.RunUntilComplete(f);
        Assert.Equal(101, proof);
        Assert.True(waiter.IsCancelled);
        Assert.False(f.IsCancelled);   // Outer swallowed it
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_TaskAwaitingTaskAwaitingSleep_CancelsTheWholeChainWithTheMessage()
    {
        Aio.Run(async () =>
        {
            AioTask<int> inner = Aio.CreateTask(SleepThenReturn(10, 1), "inner");
            async Coroutine<int> Middle() => await inner;
            AioTask<int> middle = Aio.CreateTask(Middle(), "middle");
            async Coroutine<int> Outer() => await middle;
            AioTask<int> outer = Aio.CreateTask(Outer(), "outer");
            await Aio.Sleep(1);

            Assert.True(outer.Cancel("stop"));
            Assert.Equal(1, outer.Cancelling());
            Assert.Equal(1, middle.Cancelling());   // Cancel went down the chain at once
            Assert.Equal(1, inner.Cancelling());

            var e = await Loops.ThrowsAsync<CancelledError>(outer);
            Assert.Equal("stop", e.CancelMessage);
            Assert.True(inner.IsCancelled);
            Assert.True(middle.IsCancelled);
            Assert.True(outer.IsCancelled);
            Assert.Equal(1.0, Aio.GetRunningLoop().Time());
        }, Loops.Virtual());
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_InnerTaskSwallowsTheCancel_OuterGetsTheInnerResultAndIsNotCancelled()
    {
        Aio.Run(async () =>
        {
            async Coroutine<int> Stubborn()
            {
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    return 5;
                }

                return 0;
            }

            AioTask<int> inner = Aio.CreateTask(Stubborn());
            async Coroutine<int> Outer() => await inner + 1;
            AioTask<int> outer = Aio.CreateTask(Outer());
            await Aio.Sleep(1);

            Assert.True(outer.Cancel());
            Assert.Equal(6, await outer);
            Assert.False(outer.IsCancelled);
            Assert.False(inner.IsCancelled);
            Assert.Equal(1, outer.Cancelling());
        }, Loops.Virtual());
    }

    // CPython: test_tasks.py BaseTaskTests.test_sleep_cancel (the sleep's timer is dropped)
    [Fact]
    public void Cancel_SleepingTask_ItsTimerNoLongerMovesVirtualTime()
    {
        double end = Aio.Run(async () =>
        {
            AioTask t = Aio.CreateTask(Sleep(10));
            await Aio.Sleep(0);
            t.Cancel();
            await Loops.WaitDone(t);
            await Aio.Sleep(1);   // next timer is this one, not the cancelled 10 s sleep
            return Aio.GetRunningLoop().Time();
        }, Loops.Virtual());
        Assert.Equal(1.0, end);
    }

    // ------------------------------------------------------------------ Cancel on done tasks, foreign awaits

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_OnTaskThatIsDone_ReturnsFalseAndChangesNothing()
    {
        Aio.Run(async () =>
        {
            AioTask<int> ok = Aio.CreateTask(SleepThenReturn(0, 1));
            async Coroutine Boom()
            {
                await Aio.Sleep(0);
                throw new FormatException("boom");
            }

            AioTask failed = Aio.CreateTask(Boom());
            AioTask cancelled = Aio.CreateTask(Sleep(1));
            cancelled.Cancel();
            await Loops.WaitDone(ok);
            await Loops.WaitDone(failed);
            await Loops.WaitDone(cancelled);

            Assert.False(ok.Cancel());
            Assert.False(failed.Cancel());
            Assert.False(cancelled.Cancel());
            Assert.Equal(0, ok.Cancelling());
            Assert.Equal(0, failed.Cancelling());
            Assert.Equal(1, cancelled.Cancelling());
            Assert.Equal(1, ok.Result);
            Assert.IsType<FormatException>(failed.Exception);
            Assert.True(cancelled.IsCancelled);
        }, Loops.Virtual());
    }

    // CPython: none; Task.cancel/__step semantics of tasks.py (3.13)
    [Fact]
    public void Cancel_DuringAForeignAwait_IsDeliveredAtTheNextLoopNativeAwait()
    {
        var log = new List<string>();
        Aio.Run(async () =>
        {
            var tcs = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
            async Coroutine Body()
            {
                int v = await tcs.Task;   // a foreign await: Cancel cannot interrupt it
                log.Add("foreign returned " + v);
                try
                {
                    await Aio.Sleep(0);   // the first loop-native await gets the cancel
                    log.Add("not cancelled");
                }
                catch (CancelledError e)
                {
                    log.Add("cancelled: " + e.CancelMessage);
                    throw;
                }
            }

            AioTask t = Aio.CreateTask(Body());
            await Aio.Sleep(0);
            Assert.True(t.Cancel("later"));
            Assert.False(tcs.Task.IsCompleted);
            tcs.SetResult(7);
            var e = await Loops.ThrowsAsync<CancelledError>(t);
            Assert.Equal("later", e.CancelMessage);
        }, Loops.Virtual());
        Assert.Equal(new[] { "foreign returned 7", "cancelled: later" }, log);
    }
}
