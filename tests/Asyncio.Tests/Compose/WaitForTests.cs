using static Asyncio.Tests.Compose.Kit;

namespace Asyncio.Tests.Compose;

/// <summary>Ports of CPython's <c>test_waitfor.py</c> (<c>AsyncioWaitForTest</c>), in virtual time.</summary>
public sealed class WaitForTests
{
    /// <summary>A very small timeout: it passes "timeout > 0" (test_waitfor.py _EPSILON).</summary>
    private const double Epsilon = 0.0001;

    /// <summary>Runs for <see cref="TaskTimeout"/> seconds of loop time, ignoring cancel requests (test_waitfor.py SlowTask).</summary>
    private sealed class SlowTask
    {
        public const double TaskTimeout = 0.2;

        public bool Exited { get; private set; }

        public async Coroutine Run()
        {
            var loop = Aio.GetRunningLoop();
            double exitAt = loop.Time() + TaskTimeout;
            while (true)
            {
                double toSleep = exitAt - loop.Time();
                if (toSleep <= 0)
                {
                    break;
                }

                try
                {
                    await Aio.Sleep(toSleep);
                }
                catch (CancelledError)
                {
                }
            }

            Exited = true;
        }
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_asyncio_wait_for_cancelled
    [Fact]
    public void WaitFor_CallerCancelledWhileInnerIgnoresCancellation_InnerRunsToItsEnd()
    {
        Run(async loop =>
        {
            var t = new SlowTask();
            var waitForTask = Aio.CreateTask(Aio.WaitFor(t.Run(), SlowTask.TaskTimeout * 2));
            await Aio.Sleep(0);
            waitForTask.Cancel();
            await Aio.Wait(new[] { waitForTask });
            Assert.True(t.Exited);
            Assert.Equal(SlowTask.TaskTimeout, loop.Time(), 9);
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_asyncio_wait_for_timeout
    [Fact]
    public void WaitFor_TimeoutWhileInnerIgnoresCancellation_InnerRunsToItsEnd()
    {
        Run(async loop =>
        {
            var t = new SlowTask();
            try
            {
                await Aio.WaitFor(t.Run(), SlowTask.TaskTimeout / 2);
            }
            catch (TimeoutException)
            {
            }

            Assert.True(t.Exited);
            Assert.Equal(SlowTask.TaskTimeout, loop.Time(), 9);
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_future_done
    [Fact]
    public void WaitFor_TimeoutZeroAndFutureAlreadyDone_ReturnsItsResult()
    {
        Run(async loop =>
        {
            var fut = loop.CreateFuture<string>();
            fut.SetResult("done");
            double t0 = loop.Time();
            string ret = await Aio.WaitFor(fut, 0);
            Assert.Equal("done", ret);
            Assert.True(fut.IsDone);
            Assert.Equal(t0, loop.Time());
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0_coroutine_do_not_started
    [Fact]
    public void WaitFor_TimeoutZeroWithCoroutine_CoroutineNeverStartsAndTimeoutRaised()
    {
        Run(async loop =>
        {
            bool fooStarted = false;
            double t0 = loop.Time();
            await Raises<TimeoutException>(async () => await Aio.WaitFor(Foo(), 0));
            Assert.False(fooStarted);
            Assert.Equal(t0, loop.Time());

            async Coroutine Foo() => fooStarted = true;
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_timeout_less_then_0_or_0
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void WaitFor_TimeoutZeroOrNegativeWithStartedTask_CancelsItWaitsForItAndRaises(double timeout)
    {
        Run(async loop =>
        {
            bool? fooRunning = null;
            var started = loop.CreateFuture<bool>();
            var fut = Aio.CreateTask(Foo());
            await started;
            double t0 = loop.Time();
            var e = await Raises<TimeoutException>(async () => await Aio.WaitFor(fut, timeout));
            Assert.IsType<CancelledError>(e.InnerException);
            Assert.True(fut.IsDone);
            Assert.True(fut.IsCancelled);   // it should have been cancelled due to the timeout
            Assert.False(fooRunning);
            Assert.Equal(t0, loop.Time());

            async Coroutine<string> Foo()
            {
                fooRunning = true;
                started.SetResult(true);
                try
                {
                    await Aio.Sleep(10);
                }
                finally
                {
                    fooRunning = false;
                }

                return "done";
            }
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for
    [Fact]
    public void WaitFor_TaskTimesOut_TaskIsCancelledAndHasFinishedWhenTimeoutIsRaised()
    {
        Run(async loop =>
        {
            bool? fooRunning = null;
            var fut = Aio.CreateTask(Foo());
            double t0 = loop.Time();
            var e = await Raises<TimeoutException>(async () => await Aio.WaitFor(fut, 0.1));
            Assert.Contains("Timed out", e.Message, StringComparison.Ordinal);
            Assert.True(fut.IsDone);
            Assert.True(fut.IsCancelled);
            Assert.Equal(0.1, loop.Time() - t0, 9);
            Assert.False(fooRunning);

            async Coroutine<string> Foo()
            {
                fooRunning = true;
                try
                {
                    await Aio.Sleep(10);
                }
                finally
                {
                    fooRunning = false;
                }

                return "done";
            }
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_blocking
    [Fact]
    public void WaitFor_NoTimeout_ReturnsTheResult()
    {
        Assert.Equal("done", Run(async loop => await Aio.WaitFor(Return("done"), timeout: null)));
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_race_condition
    [Fact]
    public void WaitFor_FutureDoneBeforeTheDeadline_ReturnsItsResult()
    {
        Run(async loop =>
        {
            var fut = loop.CreateFuture<string>();
            var task = Aio.WaitFor(fut, timeout: 0.2);
            loop.CallLater(0.1, () => fut.SetResult("ok"));
            Assert.Equal("ok", await task);
            Assert.Equal(0.1, loop.Time(), 9);
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_cancellation_race_condition
    [Fact]
    public void WaitFor_InnerCatchesTheTimeoutsCancellationAndReturns_ItsValueIsReturned()
    {
        Assert.Equal(1, Run(async loop => await Aio.WaitFor(Inner(), timeout: 0.01)));

        static async Coroutine<int> Inner()
        {
            await Raises<CancelledError>(async () => await Aio.Sleep(1));
            return 1;
        }
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation
    [Fact]
    public void WaitFor_TaskTakesTimeToHandleCancellation_TimeoutRaisedOnlyAfterItFinished()
    {
        Run(async loop =>
        {
            bool taskDone = false;
            var innerTask = Aio.CreateTask(Inner());
            var e = await Raises<TimeoutException>(async () => await Aio.WaitFor(innerTask, timeout: Epsilon));
            Assert.True(taskDone);
            Assert.IsType<CancelledError>(e.InnerException);   // asyncio: TimeoutError.__context__ is the CancelledError

            // Returns a value: Aio.WaitFor has no overload for a task without a result (see the report).
            async Coroutine<int> Inner()
            {
                try
                {
                    await Aio.Sleep(10);
                    return 0;
                }
                catch (CancelledError)
                {
                    await Aio.Sleep(Epsilon);
                    throw;
                }
                finally
                {
                    taskDone = true;
                }
            }
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_waits_for_task_cancellation_w_timeout_0
    [Fact]
    public void WaitFor_TimeoutZeroAndTaskTakesTimeToHandleCancellation_TimeoutRaisedOnlyAfterItFinished()
    {
        Run(async loop =>
        {
            bool taskDone = false;
            var e = await Raises<TimeoutException>(Foo);
            Assert.True(taskDone);
            Assert.IsType<CancelledError>(e.InnerException);

            async Coroutine Foo()
            {
                var innerTask = Aio.CreateTask(Inner());
                await Aio.Sleep(Epsilon);
                await Aio.WaitFor(innerTask, timeout: 0);
            }

            // Returns a value: Aio.WaitFor has no overload for a task without a result (see the report).
            async Coroutine<int> Inner()
            {
                try
                {
                    await Aio.Sleep(10);
                    return 0;
                }
                catch (CancelledError)
                {
                    await Aio.Sleep(Epsilon);
                    throw;
                }
                finally
                {
                    taskDone = true;
                }
            }
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_reraises_exception_during_cancellation
    [Fact]
    public void WaitFor_TaskRaisesWhileBeingCancelled_ThatExceptionPropagates()
    {
        Run(async loop =>
        {
            await Raises<MyExc>(Foo);

            static async Coroutine Foo()
            {
                var innerTask = Aio.CreateTask(Inner());
                await Aio.WaitFor(innerTask, timeout: Epsilon);
            }

            // Returns a value: Aio.WaitFor has no overload for a task without a result (see the report).
            static async Coroutine<int> Inner()
            {
                try
                {
                    await Aio.Sleep(0.2);
                    return 0;
                }
                finally
                {
                    throw new MyExc();
                }
            }
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_self_cancellation (wait_for stays cancellable even when
    // the task it waits for holds up cancellations)
    [Fact]
    public void WaitFor_CancelledBeforeItStarts_RaisesCancelledErrorWhileTheTaskRunsOn()
    {
        Run(async loop =>
        {
            var innerTask = Aio.CreateTask(Inner());
            var wait = Aio.WaitFor(innerTask, timeout: 0.1);
            var task = Aio.CreateTask(wait);
            task.Cancel();
            await Raises<CancelledError>(async () => await task);
            Assert.Equal(42, await innerTask);

            static async Coroutine<int> Inner()
            {
                try
                {
                    await Aio.Sleep(0.3);
                }
                catch (CancelledError)
                {
                    try
                    {
                        await Aio.Sleep(0.3);
                    }
                    catch (CancelledError)
                    {
                        await Aio.Sleep(0.3);
                    }
                }

                return 42;
            }
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_cancel_blocking_wait_for / test_cancel_wait_for
    // (_test_cancel_wait_for; Python issue #23219: cancelling the wait must also cancel the task)
    [Theory]
    [InlineData(null)]
    [InlineData(60.0)]
    public void WaitFor_CallerCancelled_TheTaskWaitedForIsCancelledToo(double? timeout)
    {
        Run(async loop =>
        {
            var task = Aio.CreateTask(BlockingCoroutine());
            var wait = Aio.CreateTask(Aio.WaitFor(task, timeout));
            loop.CallSoon(() => wait.Cancel());
            await Raises<CancelledError>(async () => await wait);
            Assert.True(task.IsCancelled);

            async Coroutine<int> BlockingCoroutine()
            {
                var fut = loop.CreateFuture<int>();
                return await fut;   // block: fut's result is never set
            }
        });
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_cancel_suppressed (gh-84849, gh-28149)
    [Fact]
    public void WaitFor_InnerSuppressesTheCancellation_ItsValueIsReturned()
    {
        Assert.Equal(42, Run(async loop => await Aio.WaitFor(Return42(), timeout: 0.1)));

        static async Coroutine<int> Return42()
        {
            try
            {
                await Aio.Sleep(10);
            }
            catch (CancelledError)
            {
                return 42;
            }

            return 0;
        }
    }

    // CPython: test_waitfor.py AsyncioWaitForTest.test_wait_for_issue86296 (a cancel after wait_for returned is not lost)
    [Fact]
    public void WaitFor_TaskCancelledAfterWaitForReturned_CancellationIsDelivered()
    {
        Run(async loop =>
        {
            bool reachedEnd = false;
            var task = Aio.CreateTask(WaitForCoro());
            await Aio.Sleep(0);
            Assert.False(task.IsDone);
            task.Cancel();
            await Raises<CancelledError>(async () => await task);
            Assert.False(reachedEnd);

            async Coroutine WaitForCoro()
            {
                await Aio.WaitFor(Inner(), timeout: 100);
                await Aio.Sleep(1);
                reachedEnd = true;
            }

            static async Coroutine Inner()
            {
            }
        });
    }

    // Ours (timeouts.py __aexit__ uncancel): after a timeout the task's cancel count is back to zero, and the next
    // await is not cancelled.
    [Fact]
    public void WaitFor_AfterTimeout_CancellingCountIsRestoredAndTheTaskGoesOn()
    {
        Run(async loop =>
        {
            await Raises<TimeoutException>(async () => await Aio.WaitFor(Sleep(10), 1));
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
            await Aio.Sleep(1);
            Assert.Equal(2.0, loop.Time());
        });
    }

    // Ours (timeouts.py __aexit__: the TimeoutError conversion needs uncancel() <= the count on entry): when the
    // deadline passes and the caller is cancelled from outside at the same moment, CancelledError wins.
    [Fact]
    public void WaitFor_DeadlineAndOutsideCancelAtTheSameInstant_CancelledErrorPropagates()
    {
        Run(async loop =>
        {
            var waiter = Aio.CreateTask(Aio.WaitFor(Sleep(10), 1));
            loop.CallLater(1, () => waiter.Cancel("from outside"));
            await Raises<CancelledError>(async () => await waiter);
            Assert.True(waiter.IsCancelled);
            Assert.Equal(1.0, loop.Time());
        });
    }

    // Ours (bad input): NaN is refused.
    [Fact]
    public void WaitFor_NaNTimeout_ThrowsArgumentOutOfRange()
    {
        Run(async loop =>
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Aio.WaitFor(Return(1), double.NaN));
            Assert.Equal("timeout", e.ParamName);
        });
    }

    // Ours: the TimeSpan overload behaves as the seconds one.
    [Fact]
    public void WaitFor_TimeSpanTimeout_TimesOut()
    {
        Run(async loop =>
        {
            await Raises<TimeoutException>(async () => await Aio.WaitFor(Sleep(10), TimeSpan.FromSeconds(1.5)));
            Assert.Equal(1.5, loop.Time());
        });
    }
}
