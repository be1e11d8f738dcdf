using static Asyncio.Tests.Compose.Kit;

namespace Asyncio.Tests.Compose;

/// <summary>
/// Ports of the <c>test_as_completed*</c> methods of CPython's <c>test_tasks.py</c> <c>BaseTaskTests</c>. Only the
/// async-iterator form exists in Asyncio.NET (<c>async for f in as_completed(...)</c> → <c>await foreach</c>): it yields
/// the tasks/futures themselves, as asyncio's async iterator does.
/// </summary>
public sealed class AsCompletedTests
{
    private static void BusyFor(EventLoop loop, double seconds) =>
        ((VirtualClock)loop.Clock).Advance(TimeSpan.FromSeconds(seconds));   // the test loop's advance_time()

    // CPython: test_tasks.py BaseTaskTests.test_as_completed (try_async_iterator)
    [Fact]
    public void AsCompleted_Coroutines_YieldedInCompletionOrder()
    {
        WithLoop(loop =>
        {
            var completed = new HashSet<string>();
            var res = loop.RunUntilComplete(Foo(new[] { Sleeper(0.01, "b"), Sleeper(0.15, "c"), Sleeper(0.01, "a") }));
            Assert.Equal(0.15, loop.Time(), 9);
            Assert.Contains("a", res.Take(2));
            Assert.Contains("b", res.Take(2));
            Assert.Equal("c", res[2]);

            async Coroutine<string> Sleeper(double dt, string x)
            {
                await Aio.Sleep(dt);
                completed.Add(x);
                return x;
            }

            static async Coroutine<List<string>> Foo(IEnumerable<Coroutine<string>> awaitables)
            {
                var values = new List<string>();
                await foreach (var f in Aio.AsCompleted(awaitables))
                {
                    values.Add(await f);
                }

                return values;
            }
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_as_completed_same_tasks_in_as_out (tasks are yielded back as they are)
    [Fact]
    public void AsCompleted_Tasks_TheSameTasksAreYielded()
    {
        Run(async loop =>
        {
            var taskB = Aio.CreateTask(Return("b"));
            var taskD = Aio.CreateTask(Return("d"));
            var outs = new List<AioTask<string>>();
            await foreach (var t in Aio.AsCompleted(new[] { taskB, taskD }))
            {
                outs.Add(t);
            }

            Assert.Equal(2, outs.Count);
            Assert.Contains(taskB, outs);
            Assert.Contains(taskD, outs);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_as_completed_with_timeout (try_async_iterator)
    [Fact]
    public void AsCompleted_TimeoutBeforeTheSecondIsDone_RaisesTimeoutAndCancelsNothing()
    {
        WithLoop(loop =>
        {
            var a = loop.CreateTask(Sleep(0.1, "a"));
            var b = loop.CreateTask(Sleep(0.15, "b"));
            var res = loop.RunUntilComplete(Foo());
            Assert.Equal(2, res.Count);
            Assert.Equal((1, "a"), (res[0].Kind, res[0].Value));
            Assert.Equal(2, res[1].Kind);
            Assert.IsType<TimeoutException>(res[1].Error);
            Assert.Equal(0.12, loop.Time(), 9);
            Assert.False(b.IsDone);
            loop.RunUntilComplete(Aio.Wait(new[] { a, b }));
            Assert.True(b.IsCompletedSuccessfully);

            async Coroutine<List<(int Kind, string? Value, Exception? Error)>> Foo()
            {
                var values = new List<(int, string?, Exception?)>();
                try
                {
                    await foreach (var f in Aio.AsCompleted(new[] { a, b }, timeout: 0.12))
                    {
                        string v = await f;
                        values.Add((1, v, null));
                        BusyFor(loop, 0.02);
                    }
                }
                catch (TimeoutException exc)
                {
                    values.Add((2, null, exc));
                }

                return values;
            }
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_as_completed_with_unused_timeout
    [Fact]
    public void AsCompleted_EverythingDoneBeforeTheTimeout_NoTimeout()
    {
        Run(async loop =>
        {
            await foreach (var f in Aio.AsCompleted(new[] { Sleep(0.01, "a") }, timeout: 1))
            {
                Assert.Equal("a", await f);
            }

            await Aio.Sleep(2);   // the timer was cancelled: nothing happens at t=1
            Assert.Equal(2.01, loop.Time(), 9);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_as_completed_resume_iterator (try_async_iterator)
    [Fact]
    public void AsCompleted_BreakThenIterateAgain_ResumesWhereItStopped()
    {
        Run(async loop =>
        {
            var iterator = Aio.AsCompleted(new[] { Return(0), Return(1), Return(2), Return(3) });
            var collected = new List<int>();
            int iterations = 0;
            await foreach (var f in iterator)
            {
                collected.Add(await f);
                iterations++;
                if (iterations == 2)
                {
                    break;
                }
            }

            Assert.Equal(2, collected.Count);

            // Resume same iterator:
            await foreach (var f in iterator)
            {
                collected.Add(await f);
            }

            Assert.Equal([0, 1, 2, 3], collected.Order());
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_as_completed_concurrent (try_async_iterator)
    [Fact]
    public void AsCompleted_CollectEveryYieldedTask_TheyCanBeAwaitedTogether()
    {
        Run(async loop =>
        {
            var futs = new List<AioTask<string>>();
            await foreach (var f in Aio.AsCompleted(new[] { Sleep(0.05, "a"), Sleep(0.05, "b") }))
            {
                futs.Add(f);
            }

            Assert.Equal(2, futs.Count);
            var (done, pending) = await Aio.Wait(futs);
            Assert.Empty(pending);
            Assert.Equal(new HashSet<string> { "a", "b" }, done.Select(f => f.Result).ToHashSet());
            Assert.Equal(0.05, loop.Time(), 9);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_as_completed_duplicate_coroutines (try_async_iterator)
    [Fact]
    public void AsCompleted_SameCoroutineTwice_YieldedOnce()
    {
        var result = Run(async loop =>
        {
            var c = Return("ham");
            var r = new List<string>();
            await foreach (var f in Aio.AsCompleted(new[] { c, c, Return("spam") }))
            {
                r.Add(await f);
            }

            return r;
        });
        Assert.Equal(2, result.Count);
        Assert.Equal(new HashSet<string> { "ham", "spam" }, result.ToHashSet());
    }

    // Ours (as_completed's set(aws)): a task given twice is yielded once.
    [Fact]
    public void AsCompleted_SameTaskTwice_YieldedOnce()
    {
        Run(async loop =>
        {
            var t = Aio.CreateTask(Return(1));
            int n = 0;
            await foreach (var f in Aio.AsCompleted(new[] { t, t }))
            {
                Assert.Same(t, f);
                n++;
            }

            Assert.Equal(1, n);
        });
    }

    // CPython: test_tasks.py BaseTaskTests.test_as_completed_coroutine_without_loop (asyncio: RuntimeError 'no
    // current event loop')
    [Fact]
    public void AsCompleted_NoRunningLoop_ThrowsNamingTheMissingLoop()
    {
        LoopRun.Throws<InvalidOperationException>(() => Aio.AsCompleted(new[] { Return(42) }), "AsCompleted", "running event loop");
    }

    // CPython: test_tasks.py BaseTaskTests.test_as_completed_coroutine_use_running_loop (async form)
    [Fact]
    public void AsCompleted_Coroutine_BecomesATaskOfTheRunningLoop()
    {
        Run(async loop =>
        {
            var futs = new List<AioTask<int>>();
            await foreach (var f in Aio.AsCompleted(new[] { Return(42) }))
            {
                futs.Add(f);
            }

            Assert.Same(loop, Assert.Single(futs).Loop);
            Assert.Equal(42, await futs[0]);
        });
    }

    // Ours (bad input; asyncio: TypeError for a non-iterable).
    [Fact]
    public void AsCompleted_NullOrNullElement_ThrowsArgumentNull()
    {
        Run(async loop =>
        {
            Assert.Throws<ArgumentNullException>(() => Aio.AsCompleted((IEnumerable<AioTask>)null!));
            Assert.Throws<ArgumentNullException>(() => Aio.AsCompleted(new AioTask[] { null! }));
            Assert.Throws<ArgumentOutOfRangeException>(() => Aio.AsCompleted(new[] { Return(1) }, timeout: double.NaN));
        });
    }

    // Ours (as_completed of nothing yields nothing, even with a timeout).
    [Fact]
    public void AsCompleted_Empty_YieldsNothing()
    {
        Run(async loop =>
        {
            await foreach (var f in Aio.AsCompleted(Array.Empty<AioTask>(), timeout: 1))
            {
                Assert.Fail("nothing to yield");
            }

            Assert.Equal(0.0, loop.Time());
        });
    }

    // Ours (asyncio: __anext__ awaits the queue's get(); cancelling the consuming task raises CancelledError once, at
    // that await, and cancels nothing else): catching it lets the task go on.
    [Fact]
    public void AsCompleted_ConsumerCancelledWhileWaiting_OneCancelledErrorAndTheTasksRunOn()
    {
        Run(async loop =>
        {
            var a = Aio.CreateTask(Sleep(5, 1));
            var consumer = Aio.CreateTask(Consume());
            await Aio.Sleep(1);
            consumer.Cancel();
            Assert.Equal("caught, then slept", await consumer);
            Assert.Equal(3.0, loop.Time());
            Assert.False(a.IsCancelled);
            Assert.Equal(1, await a);

            async Coroutine<string> Consume()
            {
                try
                {
                    await foreach (var f in Aio.AsCompleted(new[] { a }))
                    {
                        return "not cancelled";
                    }
                }
                catch (CancelledError)
                {
                    await Aio.Sleep(2);   // one cancellation was requested and delivered: this sleep is not cancelled
                    return "caught, then slept";
                }

                return "ended";
            }
        });
    }
}
