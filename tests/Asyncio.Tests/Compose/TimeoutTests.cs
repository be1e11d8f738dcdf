using System.Text.RegularExpressions;
using static Asyncio.Tests.Compose.Kit;

namespace Asyncio.Tests.Compose;

/// <summary>
/// Ports of CPython's <c>test_timeouts.py</c> (<c>TimeoutTests</c>). <c>async with asyncio.timeout(d) as cm:</c> becomes
/// <c>await Aio.Timeout(d, async cm =&gt; ...)</c>; Python's exception <c>__context__</c> chains have no .NET
/// counterpart (only the <c>__cause__</c> of the TimeoutError, its InnerException, is checked).
/// </summary>
public sealed class TimeoutTests
{
    private static void BusyFor(EventLoop loop, double seconds) =>
        ((VirtualClock)loop.Clock).Advance(TimeSpan.FromSeconds(seconds));   // time.sleep(): the loop is blocked

    // CPython: test_timeouts.py TimeoutTests.test_timeout_basic
    [Fact]
    public void Timeout_DeadlinePasses_RaisesTimeoutAndScopeIsExpired()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            var e = await Raises<TimeoutException>(async () => await Aio.Timeout(0.01, async s =>
            {
                cm = s;
                await Aio.Sleep(10);
            }));
            Assert.True(cm!.Expired);
            Assert.IsType<CancelledError>(e.InnerException);
            Assert.Equal(0.01, loop.Time(), 9);
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_at_basic
    [Fact]
    public void TimeoutAt_DeadlinePasses_RaisesTimeoutAndWhenIsTheDeadline()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            double deadline = loop.Time() + 0.01;
            await Raises<TimeoutException>(async () => await Aio.TimeoutAt(deadline, async s =>
            {
                cm = s;
                await Aio.Sleep(10);
            }));
            Assert.True(cm!.Expired);
            Assert.Equal(deadline, cm.When);
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_nested_timeouts (only the topmost scope raises TimeoutError)
    [Fact]
    public void Timeout_NestedWithTheSameDeadline_InnerPassesCancelledErrorOuterRaisesTimeout()
    {
        Run(async loop =>
        {
            bool cancelled = false;
            TimeoutScope? cm1 = null, cm2 = null;
            double deadline = loop.Time() + 0.01;
            await Raises<TimeoutException>(async () => await Aio.TimeoutAt(deadline, async s1 =>
            {
                cm1 = s1;
                try
                {
                    await Aio.TimeoutAt(deadline, async s2 =>
                    {
                        cm2 = s2;
                        await Aio.Sleep(10);
                    });
                }
                catch (CancelledError)
                {
                    cancelled = true;
                    throw;
                }
            }));
            Assert.True(cancelled);
            Assert.True(cm1!.Expired);
            Assert.True(cm2!.Expired);
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_waiter_cancelled
    [Fact]
    public void Timeout_DeadlinePasses_BodySeesCancelledError()
    {
        Run(async loop =>
        {
            bool cancelled = false;
            await Raises<TimeoutException>(async () => await Aio.Timeout(0.01, async _ =>
            {
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                    cancelled = true;
                    throw;
                }
            }));
            Assert.True(cancelled);
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_not_called
    [Fact]
    public void Timeout_BodyFinishesInTime_NotExpiredAndWhenIsStillAhead()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            await Aio.Timeout(10, async s =>
            {
                cm = s;
                await Aio.Sleep(0.01);
            });
            double t1 = loop.Time();
            Assert.False(cm!.Expired);
            Assert.True(cm.When > t1);
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_disabled / test_timeout_at_disabled
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Timeout_Null_NoDeadline(bool at)
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            Func<TimeoutScope, Coroutine> body = async s =>
            {
                cm = s;
                await Aio.Sleep(0.01);
            };
            await (at ? Aio.TimeoutAt(null, body) : Aio.Timeout((double?)null, body));
            Assert.False(cm!.Expired);
            Assert.Null(cm.When);
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_zero / test_timeout_zero_sleep_zero /
    // test_timeout_in_the_past_sleep_zero
    [Theory]
    [InlineData(0.0, 10.0)]
    [InlineData(0.0, 0.0)]
    [InlineData(-11.0, 0.0)]
    public void Timeout_ZeroOrInThePast_ExpiresAtTheFirstAwait(double delay, double sleep)
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            double t0 = loop.Time();
            await Raises<TimeoutException>(async () => await Aio.Timeout(delay, async s =>
            {
                cm = s;
                await Aio.Sleep(sleep);
            }));
            double t1 = loop.Time();
            Assert.True(cm!.Expired);
            Assert.True(cm.When <= t1);
            Assert.Equal(t0 + delay, cm.When);
            Assert.Equal(t0, t1);
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_foreign_exception_passed
    [Fact]
    public void Timeout_BodyRaisesAnotherException_ItPassesAndScopeIsNotExpired()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            await Raises<KeyNotFoundException>(async () => await Aio.Timeout(0.01, async s =>
            {
                cm = s;
                throw new KeyNotFoundException();
            }));
            Assert.False(cm!.Expired);
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_exception_context (TimeoutError caused by the CancelledError)
    [Fact]
    public void Timeout_CleanupAfterAFailureTimesOut_TimeoutErrorCausedByTheCancellation()
    {
        Run(async loop =>
        {
            var e = await Raises<TimeoutException>(async () => await Aio.Timeout(0.01, async _ =>
            {
                try
                {
                    throw new DivideByZeroException();
                }
                finally
                {
                    await Aio.Sleep(1);
                }
            }));
            Assert.IsType<CancelledError>(e.InnerException);
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_foreign_exception_on_timeout (the cleanup's exception wins over the
    // timeout)
    [Fact]
    public void Timeout_CancelledWorkRaisesInItsCleanup_ThatExceptionPropagates()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            await Raises<DivideByZeroException>(async () => await Aio.Timeout(0.01, async s =>
            {
                cm = s;
                await Crash();
            }));
            Assert.True(cm!.Expired);
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
        });

        static async Coroutine Crash()
        {
            try
            {
                await Aio.Sleep(1);
            }
            finally
            {
                throw new DivideByZeroException();
            }
        }
    }

    // CPython: test_timeouts.py TimeoutTests.test_foreign_exception_on_timeout_2
    [Fact]
    public void Timeout_NestedCleanupsRaiseOnTimeout_TheLastExceptionPropagates()
    {
        Run(async loop =>
        {
            await Raises<DivideByZeroException>(async () => await Aio.Timeout(0.01, async _ =>
            {
                try
                {
                    try
                    {
                        throw new ArgumentException("value");
                    }
                    finally
                    {
                        await Aio.Sleep(1);
                    }
                }
                finally
                {
                    try
                    {
                        throw new KeyNotFoundException();
                    }
                    finally
                    {
                        throw new DivideByZeroException();
                    }
                }
            }));
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_foreign_cancel_doesnt_timeout_if_not_expired
    [Fact]
    public void Timeout_CancelledFromOutsideBeforeTheDeadline_CancelledErrorNotConverted()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            var task = Aio.CreateTask(Body());
            await Raises<CancelledError>(async () => await task);
            Assert.False(cm!.Expired);
            Assert.True(task.IsCancelled);

            async Coroutine Body() => await Aio.Timeout(10, async s =>
            {
                cm = s;
                Aio.CurrentTask!.Cancel();
                await Aio.Sleep(10);
            });
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_outer_task_is_not_cancelled
    [Fact]
    public void Timeout_Expires_TheTaskIsNotCancelled()
    {
        Run(async loop =>
        {
            var task = Aio.CreateTask(Outer());
            await task;
            Assert.False(task.IsCancelled);
            Assert.True(task.IsDone);

            static async Coroutine Outer() =>
                await Raises<TimeoutException>(async () => await Aio.Timeout(0.001, async _ => await Aio.Sleep(10)));
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_nested_timeouts_concurrent (the loop is blocked past the outer
    // deadline: the outer timeout fires, the inner scope lets the CancelledError through, the outer converts it)
    [Fact]
    public void Timeout_NestedAndLoopBlockedPastTheOuterDeadline_OuterRaisesTimeout()
    {
        Run(async loop =>
        {
            Exception? innerOutcome = null;
            await Raises<TimeoutException>(async () => await Aio.Timeout(0.002, async _ =>
            {
                try
                {
                    await Aio.Timeout(0.1, async _ =>
                    {
                        BusyFor(loop, 0.01);   // pretend we crunch some numbers
                        await Aio.Sleep(1);
                    });
                }
                catch (Exception e)
                {
                    innerOutcome = e;
                    throw;
                }
            }));
            Assert.IsType<CancelledError>(innerOutcome);
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_nested_timeouts_loop_busy (both deadlines pass while the loop is
    // blocked: both scopes cancel the task, only the outermost converts to TimeoutError, at once)
    [Fact]
    public void Timeout_NestedAndLoopBlockedPastBothDeadlines_OuterRaisesTimeoutAtOnce()
    {
        Run(async loop =>
        {
            double t0 = loop.Time();
            Exception? innerOutcome = null;
            bool outerSleepReached = false;
            await Raises<TimeoutException>(async () => await Aio.Timeout(0.1, async _ =>
            {
                try
                {
                    await Aio.Timeout(0.01, async _ =>
                    {
                        BusyFor(loop, 0.1);   // pretend the loop is busy for a while
                        await Aio.Sleep(1);
                    });
                }
                catch (Exception e)
                {
                    innerOutcome = e;
                    throw;
                }

                outerSleepReached = true;
                await Aio.Sleep(10);
            }));
            double t1 = loop.Time();
            Assert.True(t0 <= t1 && t1 <= t0 + 1);
            Assert.IsType<CancelledError>(innerOutcome);
            Assert.False(outerSleepReached);
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_reschedule
    [Fact]
    public void TimeoutScopeReschedule_FromAnotherTask_MovesOrRemovesTheDeadline()
    {
        Run(async loop =>
        {
            var fut = loop.CreateFuture<TimeoutScope>();
            double deadline1 = loop.Time() + 10;
            double deadline2 = deadline1 + 20;
            var task = Aio.CreateTask(F());
            TimeoutScope cm = await fut;
            Assert.Equal(deadline1, cm.When);
            cm.Reschedule(deadline2);
            Assert.Equal(deadline2, cm.When);
            cm.Reschedule(null);
            Assert.Null(cm.When);
            task.Cancel();
            await Raises<CancelledError>(async () => await task);
            Assert.False(cm.Expired);

            async Coroutine F() => await Aio.TimeoutAt(deadline1, async s =>
            {
                fut.SetResult(s);
                await Aio.Sleep(50);
            });
        });
    }

    // Ours (timeouts.py reschedule: a deadline at or before loop.time() fires through call_soon)
    [Fact]
    public void TimeoutScopeReschedule_IntoThePast_FiresAtOnce()
    {
        Run(async loop =>
        {
            await Aio.Sleep(5);
            await Raises<TimeoutException>(async () => await Aio.Timeout(100, async s =>
            {
                await Aio.Sleep(1);
                s.Reschedule(loop.Time() - 3);
                await Aio.Sleep(10);
            }));
            Assert.Equal(6.0, loop.Time());
        });
    }

    // Ours (bad input): a NaN deadline is refused.
    [Fact]
    public void TimeoutScopeReschedule_NaN_ThrowsArgumentOutOfRange()
    {
        Run(async loop =>
        {
            await Aio.Timeout(10, async s =>
            {
                Assert.Throws<ArgumentOutOfRangeException>(() => s.Reschedule(double.NaN));
                Assert.Equal(10.0, s.When);
            });
            Assert.Throws<ArgumentOutOfRangeException>(() => Aio.Timeout(double.NaN, async _ => { }));
            Assert.Throws<ArgumentOutOfRangeException>(() => Aio.TimeoutAt(double.NaN, async _ => { }));
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_repr_active (a deadline with a fractional part, as a real clock gives)
    [Fact]
    public void TimeoutScopeToString_Active_ShowsStateAndDeadline()
    {
        Run(async loop =>
        {
            await Aio.Sleep(0.25);
            await Aio.Timeout(10, async cm => Assert.Matches(new Regex(@"^<Timeout \[active\] when=\d+\.\d*>$"), cm.ToString()));
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_repr_expired
    [Fact]
    public void TimeoutScopeToString_AfterExpiry_ShowsExpired()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            await Raises<TimeoutException>(async () => await Aio.Timeout(0.01, async s =>
            {
                cm = s;
                await Aio.Sleep(10);
            }));
            Assert.Equal("<Timeout [expired]>", cm!.ToString());
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_repr_finished
    [Fact]
    public void TimeoutScopeToString_AfterTheBlock_ShowsFinished()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            await Aio.Timeout(10, async s =>
            {
                cm = s;
                await Aio.Sleep(0);
            });
            Assert.Equal("<Timeout [finished]>", cm!.ToString());
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_repr_disabled (Python's None; the case of "None" is not asserted)
    [Fact]
    public void TimeoutScopeToString_Disabled_ShowsNoDeadline()
    {
        Run(async loop =>
        {
            await Aio.Timeout((double?)null, async cm => Assert.Equal("<Timeout [active] when=None>", cm.ToString(), ignoreCase: true));
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_nested_timeout_in_finally
    [Fact]
    public void Timeout_NestedTimeoutInTheCleanupOfAnExpiredOne_BothRaiseTimeout()
    {
        Run(async loop =>
        {
            TimeoutException? e2 = null;
            var e1 = await Raises<TimeoutException>(async () => await Aio.Timeout(0.01, async _ =>
            {
                try
                {
                    await Aio.Sleep(1);
                }
                finally
                {
                    e2 = await Raises<TimeoutException>(async () => await Aio.Timeout(0.01, async _ => await Aio.Sleep(10)));
                }
            }));
            Assert.IsType<CancelledError>(e1.InnerException);
            Assert.IsType<CancelledError>(e2!.InnerException);
            Assert.Equal(0.02, loop.Time(), 9);
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_after_cancellation (a caught cancellation leaves the count at
    // 1; a timeout entered then still converts its own cancellation)
    [Fact]
    public void Timeout_EnteredAfterACaughtCancellation_StillRaisesTimeout()
    {
        Run(async loop =>
        {
            try
            {
                Aio.CurrentTask!.Cancel();
                await Aio.Sleep(1);   // work which will be cancelled
            }
            catch (CancelledError)
            {
            }
            finally
            {
                await Raises<TimeoutException>(async () => await Aio.Timeout(0.0, async _ => await Aio.Sleep(1)));   // some cleanup
            }

            Assert.Equal(1, Aio.CurrentTask!.Cancelling());
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_cancel_in_timeout_after_cancellation
    [Fact]
    public void Timeout_CancelledInsideAfterACaughtCancellation_CancelledErrorNotConverted()
    {
        Run(async loop =>
        {
            try
            {
                Aio.CurrentTask!.Cancel();
                await Aio.Sleep(1);   // work which will be cancelled
            }
            catch (CancelledError)
            {
            }
            finally
            {
                await Raises<CancelledError>(async () => await Aio.Timeout(1.0, async _ =>
                {
                    Aio.CurrentTask!.Cancel();
                    await Aio.Sleep(2);   // some cleanup
                }));
            }
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_finished (asyncio: RuntimeError mentioning "finished")
    [Fact]
    public void TimeoutScopeReschedule_AfterTheBlock_ThrowsFinished()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            await Aio.Timeout(0.01, async s => cm = s);
            LoopRun.Throws<InvalidOperationException>(() => cm!.Reschedule(0.02), "finished");
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_expired
    [Fact]
    public void TimeoutScopeReschedule_AfterExpiry_ThrowsExpired()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            await Raises<TimeoutException>(async () => await Aio.Timeout(0.01, async s =>
            {
                cm = s;
                await Aio.Sleep(1);
            }));
            LoopRun.Throws<InvalidOperationException>(() => cm!.Reschedule(0.02), "expired");
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_expiring
    [Fact]
    public void TimeoutScopeReschedule_WhileExpiring_ThrowsExpiring()
    {
        Run(async loop =>
        {
            await Aio.Timeout(0.01, async cm =>
            {
                await Raises<CancelledError>(async () => await Aio.Sleep(1));
                LoopRun.Throws<InvalidOperationException>(() => cm.Reschedule(0.02), "expiring");
            });
        });
    }

    // Ours (timeouts.py __aexit__: without an exception nothing is raised, but the scope expired and uncancel() ran):
    // a body that swallows the timeout's cancellation ends normally.
    [Fact]
    public void Timeout_BodySwallowsTheCancellation_NoTimeoutButExpiredAndCountRestored()
    {
        Run(async loop =>
        {
            TimeoutScope? cm = null;
            int r = await Aio.Timeout(1, async s =>
            {
                cm = s;
                try
                {
                    await Aio.Sleep(10);
                }
                catch (CancelledError)
                {
                }

                return 5;
            });
            Assert.Equal(5, r);
            Assert.True(cm!.Expired);
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
            await Aio.Sleep(1);   // not cancelled
            Assert.Equal(2.0, loop.Time());
        });
    }

    // CPython: test_timeouts.py TimeoutTests.test_timeout_taskgroup (the group's errors win over the timeout)
    [Fact]
    public void Timeout_TaskGroupChildCrashesInCleanup_TaskGroupErrorPropagatesNotTimeout()
    {
        Run(async loop =>
        {
            var eg = await Raises<TaskGroupException>(async () => await Aio.Timeout(0.01, async scope =>
                await TaskGroup.RunAsync(async tg =>
                {
                    _ = tg.CreateTask(CrashingTask());
                    try
                    {
                        throw new ArgumentException("value");
                    }
                    finally
                    {
                        await Aio.Sleep(1);
                    }
                })));
            Assert.IsType<DivideByZeroException>(Assert.Single(eg.InnerExceptions));
            Assert.Equal(0, Aio.CurrentTask!.Cancelling());
            await Aio.Sleep(1);   // not cancelled
        });

        static async Coroutine CrashingTask()
        {
            try
            {
                await Aio.Sleep(2);   // will be interrupted after 0.01 second
            }
            finally
            {
                throw new DivideByZeroException();   // crash in cleanup
            }
        }
    }

    // Ours: the scope cancels the task it was entered in, which keeps its count right across nested expiries.
    [Fact]
    public void Timeout_NestedInnerExpires_OuterUnaffectedAndCountsRestored()
    {
        Run(async loop =>
        {
            await Aio.Timeout(10, async outer =>
            {
                Assert.Equal(0, Aio.CurrentTask!.Cancelling());
                await Raises<TimeoutException>(async () => await Aio.Timeout(1, async _ => await Aio.Sleep(5)));
                Assert.Equal(0, Aio.CurrentTask!.Cancelling());
                Assert.False(outer.Expired);
                await Aio.Sleep(1);
            });
            Assert.Equal(2.0, loop.Time());
        });
    }
}
