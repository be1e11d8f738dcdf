using Asyncio.Samples;

namespace Asyncio.Tests.Samples;

/// <summary>Every seed example of the foundation runs on our loop and prints what the Python version prints, at the same virtual times.</summary>
public class SeedSampleTests
{
    private static string[] Run(string name)
    {
        ISample sample = SampleCatalog.Find(name) ?? throw new InvalidOperationException($"no sample {name}");
        var output = new TimedWriter();
        sample.Run(output, new LoopOptions { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo });
        return output.Timeline();
    }

    [Fact]
    public void CreateAndRunEventLoop_PrintsHelloAtTimeZero() =>
        Assert.Equal(["0: Hello, Asyncio!"], Run("create-and-run-event-loop"));

    [Fact]
    public void RunUntilComplete_PrintsHelloAtTimeZero() =>
        Assert.Equal(["0: Hello, Asyncio!"], Run("run-until-complete"));

    [Fact]
    public void CreateCoroutine_FinishesAfterOneSecond() =>
        Assert.Equal(["1: Coroutine finished"], Run("create-coroutine"));

    [Fact]
    public void FutureHoldsAResult_Prints42() =>
        Assert.Equal(["0: 42"], Run("future-holds-a-result"));

    [Fact]
    public void WhatIsATask_TaskFinishesAfterOneSecond() =>
        Assert.Equal(["1: Task finished"], Run("what-is-a-task"));

    [Fact]
    public void ForgettingToAwait_TheCoroutineNeverRuns() =>
        Assert.Equal(
            ["1: Created <coroutine ForgettingToAwait.Greet>, never awaited: it did not run.", "1: Hello from greet()"],
            Run("forgetting-to-await"));

    [Fact]
    public void CallAsyncFromSync_RunsOnALoopAndReturns42() =>
        Assert.Equal(["0: Coroutine started", "1: Coroutine finished", "-: Result: 42"], Run("call-async-from-sync"));

    [Fact]
    public void HandleExceptionsInCoroutines_CatchesInsideAndAroundAwait() =>
        Assert.Equal(["1: Caught exception: An error occurred", "2: Caught from await: bad value"], Run("handle-exceptions-in-coroutines"));

    [Fact]
    public void ReraiseCancelledError_TaskEndsCancelled() =>
        Assert.Equal(["1: Worker: cancelled, re-raising", "1: Main: the task is cancelled: True"], Run("reraise-cancelled-error"));

    [Fact]
    public void AsyncioSleepVersusBlockingSleep_BlockingSleepFreezesTheLoop() =>
        Assert.Equal(
        [
            "0: Starting asyncio sleep",
            "0.5: tick 1", "1: tick 2", "1.5: tick 3",
            "2: Finished asyncio sleep",   // its timer was set at t=0, before the ticker's fourth: ties run in scheduling order
            "2: tick 4",
            "2: Starting blocking sleep",
            "4: Finished blocking sleep",
            "4: tick 1",   // was due at t=2.5: the blocking sleep froze the loop
            "4.5: tick 2",
        ], Run("asyncio-sleep-vs-blocking-sleep"));

    [Fact]
    public void CreateTaskVersusAwait_SequentialTakesThreeSecondsConcurrentTwo() =>
        Assert.Equal(
        [
            "1: coro1 done", "3: coro2 done", "3: sequential await took 3 s",
            "4: task1 done", "5: task2 done", "5: create_task took 2 s",
        ], Run("create-task-vs-await"));

    [Fact]
    public void CancelATask_CoroutineSwallowsCancellation_TaskNotCancelled() =>
        Assert.Equal(["1: Task was cancelled", "1: task.IsCancelled: False"], Run("cancel-a-task"));

    [Fact]
    public void CancelAndAwaitTask_AwaitRaisesCancelledError() =>
        Assert.Equal(["1: Task was cancelled"], Run("cancel-and-await-task"));

    [Fact]
    public void RunCoroutinesConcurrently_FinishesAtTwoSeconds() =>
        Assert.Equal(["1: Coro 1 done", "2: Coro 2 done"], Run("run-coroutines-concurrently"));

    [Fact]
    public void GatherVersusWait_GatherKeepsArgumentOrder_WaitSplitsDoneAndPending() =>
        Assert.Equal(
        [
            "2: Gather results: ['Coro 1 done', 'Coro 2 done']",
            "4: Wait result: Coro 3 done",
            "4: Wait result: Coro 4 done",
            "4: pending: 0",
        ], Run("gather-vs-wait"));

    [Fact]
    public void WaitForTimeout_TimesOutAtTwoSeconds() =>
        Assert.Equal(["2: Coroutine timed out"], Run("wait-for-timeout"));

    [Fact]
    public void LimitConcurrencyWithSemaphore_ThreeAtATime_DoneAtEightSeconds()
    {
        string[] lines = Run("limit-concurrency-with-semaphore");
        Assert.Equal(20, lines.Length);
        Assert.Equal("8: Task 9 finished", lines[^1]);
        int inside = 0, most = 0;
        foreach (string line in lines)
        {
            inside += line.EndsWith("started", StringComparison.Ordinal) ? 1 : -1;
            most = Math.Max(most, inside);
        }

        Assert.Equal(3, most);
        Assert.Equal(["0: Task 0 started", "0: Task 1 started", "0: Task 2 started"], lines[..3]);
    }

    [Fact]
    public void AsyncWith_EntersRunsExits() =>
        Assert.Equal(["0: Entering context", "0: Inside context", "0: Exiting context"], Run("async-with"));

    [Fact]
    public void AsyncFor_OneItemPerSecond() =>
        Assert.Equal(["1: 0", "2: 1", "3: 2", "4: 3", "5: 4"], Run("async-for"));

    [Fact]
    public void RunBlockingCodeInThread_ResultComesBack() =>
        Assert.Equal(["0: Blocking function result"], Run("run-blocking-code-in-thread"));

    [Fact]
    public void ProducerConsumerQueue_ConsumesEveryItemInOrder()
    {
        string[] lines = Run("producer-consumer-queue");
        Assert.Equal(Enumerable.Range(0, 5).Select(i => $"Consumed {i}"), lines.Where(l => l.Contains("Consumed")).Select(l => l[(l.IndexOf(' ') + 1)..]));
        Assert.Equal(10, lines.Length);
        Assert.Equal("2: Consumed 4", lines[^1]);
    }

    [Fact]
    public void GatherReturnExceptions_HandlesErrorsUsesResults() =>
        Assert.Equal(["3: use: 10", "3: handle: coro 2 failed", "3: use: 30"], Run("gather-return-exceptions"));

    [Fact]
    public void Catalog_NamesAreUniqueAndEverySampleHasAQuestion()
    {
        Assert.Equal(SampleCatalog.All.Count, SampleCatalog.All.Select(s => s.Name).Distinct().Count());
        Assert.All(SampleCatalog.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Question)));
    }
}
