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
    public void Catalog_NamesAreUniqueAndEverySampleHasAQuestion()
    {
        Assert.Equal(SampleCatalog.All.Count, SampleCatalog.All.Select(s => s.Name).Distinct().Count());
        Assert.All(SampleCatalog.All, s => Assert.False(string.IsNullOrWhiteSpace(s.Question)));
    }
}
