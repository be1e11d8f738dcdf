using Asyncio.Samples.Seed;

namespace Asyncio.Samples;

/// <summary>Every seed example, by name.</summary>
public static class SampleCatalog
{
    /// <summary>All samples, in the order of the notes.</summary>
    public static IReadOnlyList<ISample> All { get; } =
    [
        new CreateAndRunEventLoop(),
        new RunUntilComplete(),
        new CreateCoroutine(),
        new FutureHoldsAResult(),
        new WhatIsATask(),
        new ForgettingToAwait(),
        new CallAsyncFromSync(),
        new HandleExceptionsInCoroutines(),
        new ReraiseCancelledError(),
        new AsyncioSleepVersusBlockingSleep(),
        new CreateTaskVersusAwait(),
        new CancelATask(),
        new CancelAndCatchTaskCancellation(),
        new RunCoroutinesConcurrently(),
        new GatherVersusWait(),
        new WaitForTimeout(),
        new LimitConcurrencyWithSemaphore(),
        new AsyncWith(),
        new AsyncFor(),
        new RunBlockingCodeInThread(),
        new ProducerConsumerQueue(),
        new GatherReturnExceptions(),
    ];

    /// <summary>The sample called <paramref name="name"/>, or null.</summary>
    public static ISample? Find(string name) =>
        All.FirstOrDefault(s => string.Equals(s.Name, name, StringComparison.OrdinalIgnoreCase));
}
