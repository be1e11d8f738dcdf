using BenchmarkDotNet.Attributes;

namespace Asyncio.Benchmarks.Bdn;

/// <summary>
/// The uncontended paths of the coordination primitives, each inside one coroutine task: an <see cref="AsyncQueue{T}"/>
/// put then get of one item, an <see cref="AsyncSemaphore"/> acquire then release, an <see cref="AsyncLock"/> acquire
/// then release. Nothing ever waits, so every await completes at once (the primitives' struct awaitables with a ready
/// result): these should allocate nothing per operation.
/// </summary>
[MemoryDiagnoser]
public class CoordinationBenchmarks
{
    private const int Ops = 1000;

    private EventLoop _loop = null!;
    private AsyncQueue<int> _queue = null!;
    private AsyncSemaphore _semaphore = null!;
    private AsyncLock _lock = null!;

    /// <summary>One loop and one of each primitive for the whole run (a primitive binds to the loop it is first used on).</summary>
    [GlobalSetup]
    public void Setup()
    {
        _loop = new EventLoop();
        _queue = new AsyncQueue<int>(1024);
        _semaphore = new AsyncSemaphore(100);
        _lock = new AsyncLock();
    }

    [GlobalCleanup]
    public void Cleanup() => _loop.Close();

    /// <summary><c>await q.PutAsync(i)</c> then <c>await q.GetAsync()</c> on a queue that is empty before each pair.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void QueuePutGet() => _loop.RunUntilComplete(PutGet(_queue, Ops));

    /// <summary><c>await using (await sem.AcquireAsync()) { }</c> with permits free and nobody waiting.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void SemaphoreAcquireRelease() => _loop.RunUntilComplete(AcquireRelease(_semaphore, Ops));

    /// <summary><c>await using (await lk.AcquireAsync()) { }</c> on a free lock.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void LockAcquireRelease() => _loop.RunUntilComplete(AcquireRelease(_lock, Ops));

    private static async Coroutine<long> PutGet(AsyncQueue<int> queue, int n)
    {
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            await queue.PutAsync(i);
            sum += await queue.GetAsync();
        }

        return sum;
    }

    private static async Coroutine AcquireRelease(AsyncSemaphore semaphore, int n)
    {
        for (int i = 0; i < n; i++)
        {
            await using (await semaphore.AcquireAsync())
            {
            }
        }
    }

    private static async Coroutine AcquireRelease(AsyncLock lk, int n)
    {
        for (int i = 0; i < n; i++)
        {
            await using (await lk.AcquireAsync())
            {
            }
        }
    }
}
