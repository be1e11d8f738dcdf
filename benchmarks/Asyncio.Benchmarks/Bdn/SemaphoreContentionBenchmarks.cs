using Asyncio.Benchmarks.Workloads;
using BenchmarkDotNet.Attributes;

namespace Asyncio.Benchmarks.Bdn;

/// <summary>
/// The contended acquire: 1,000 tasks, <see cref="Permits"/> permits, 10 rounds each of acquire, <c>await
/// Aio.Sleep(0)</c>, release (10,000 acquisitions per invocation, nearly all of them waiting). <see cref="AsyncSemaphore"/>
/// against <see cref="WaitQueueSemaphore"/>, a reference with the same FIFO permit hand-off, waited on inline in the
/// task (no nested coroutine) and through a nested coroutine (the shape of <c>AsyncSemaphore.AcquireAsync</c>'s slow
/// path). Permits 64 and 100: coroutine frames are pooled 64 per method and thread, and with more permits than that,
/// more contended acquires are in flight in one iteration than the pool holds.
/// </summary>
[MemoryDiagnoser]
public class SemaphoreContentionBenchmarks
{
    private const int Tasks = 1000;
    private const int Rounds = 10;
    private const int Ops = Tasks * Rounds;

    private EventLoop _loop = null!;

    [Params(64, 100)]
    public int Permits { get; set; }

    [GlobalSetup]
    public void Setup() => _loop = new EventLoop();

    [GlobalCleanup]
    public void Cleanup() => _loop.Close();

    /// <summary><c>await using (await sem.AcquireAsync()) { await Aio.Sleep(0); }</c>.</summary>
    [Benchmark(Baseline = true, OperationsPerInvoke = Ops)]
    public void AsyncSemaphore() => _loop.RunUntilComplete(Run(new AsyncSemaphore(Permits), null, nested: false));

    /// <summary>The same hand-off waited on inline: <c>if (!sem.TryTake()) await sem.Waiters.WaitAsync();</c>.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void WaitQueueInline() => _loop.RunUntilComplete(Run(null, new WaitQueueSemaphore(Permits), nested: false));

    /// <summary>The same hand-off through a nested coroutine: <c>await sem.AcquireNestedAsync();</c>.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void WaitQueueNested() => _loop.RunUntilComplete(Run(null, new WaitQueueSemaphore(Permits), nested: true));

    private static async Coroutine Run(AsyncSemaphore? semaphore, WaitQueueSemaphore? reference, bool nested)
    {
        var tasks = new AioTask[Tasks];
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = Aio.CreateTask(semaphore is not null ? Worker(semaphore) : nested ? NestedWorker(reference!) : InlineWorker(reference!));
        }

        foreach (AioTask t in tasks)
        {
            await t;
        }
    }

    private static async Coroutine Worker(AsyncSemaphore semaphore)
    {
        for (int i = 0; i < Rounds; i++)
        {
            await using (await semaphore.AcquireAsync())
            {
                await Aio.Sleep(0);
            }
        }
    }

    private static async Coroutine InlineWorker(WaitQueueSemaphore semaphore)
    {
        for (int i = 0; i < Rounds; i++)
        {
            if (!semaphore.TryTake())
            {
                await semaphore.Waiters.WaitAsync();   // woken with the permit
            }

            await Aio.Sleep(0);
            semaphore.Release();
        }
    }

    private static async Coroutine NestedWorker(WaitQueueSemaphore semaphore)
    {
        for (int i = 0; i < Rounds; i++)
        {
            await semaphore.AcquireNestedAsync();
            await Aio.Sleep(0);
            semaphore.Release();
        }
    }
}
