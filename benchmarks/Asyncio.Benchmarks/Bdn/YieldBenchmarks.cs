using BenchmarkDotNet.Attributes;

namespace Asyncio.Benchmarks.Bdn;

/// <summary>One suspension and resumption through the ready queue: <c>await Aio.Sleep(0)</c>, and plain .NET code's <c>Task.Yield()</c> on the loop.</summary>
[MemoryDiagnoser]
public class YieldBenchmarks
{
    private const int Ops = 1000;

    private EventLoop _loop = null!;

    [GlobalSetup]
    public void Setup() => _loop = new EventLoop();

    [GlobalCleanup]
    public void Cleanup() => _loop.Close();

    /// <summary><c>await Aio.Sleep(0)</c> in a coroutine task (1,000 per run; the task's creation is amortised over them).</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void SleepZeroInCoroutine() => _loop.RunUntilComplete(SleepZeroLoop(Ops));

    /// <summary><c>await Task.Yield()</c> in an <c>async Task</c> function run as a loop task (through the loop's SynchronizationContext).</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void TaskYieldInAsyncTask() => _loop.RunUntilComplete(TaskYieldLoop);

    private static async Coroutine SleepZeroLoop(int n)
    {
        for (int i = 0; i < n; i++)
        {
            await Aio.Sleep(0);
        }
    }

    private static async Task TaskYieldLoop()
    {
        for (int i = 0; i < Ops; i++)
        {
            await Task.Yield();
        }
    }
}
