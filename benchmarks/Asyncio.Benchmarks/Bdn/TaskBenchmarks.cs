using BenchmarkDotNet.Attributes;

namespace Asyncio.Benchmarks.Bdn;

/// <summary>Creating small tasks and awaiting them, one by one and all at once; a nested coroutine await for comparison.</summary>
[MemoryDiagnoser]
public class TaskBenchmarks
{
    private const int Ops = 1000;

    private EventLoop _loop = null!;
    private EventLoop _eagerLoop = null!;

    [GlobalSetup]
    public void Setup()
    {
        _loop = new EventLoop();
        _eagerLoop = new EventLoop(new LoopOptions { EagerTasks = true });
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _loop.Close();
        _eagerLoop.Close();
    }

    /// <summary><c>await Aio.CreateTask(Empty())</c> 1,000 times: a task that finishes in its first step.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void CreateAwaitEach_Empty() => _loop.RunUntilComplete(CreateAwaitEach(Ops, yields: false));

    /// <summary><c>await Aio.CreateTask(YieldOnce())</c> 1,000 times: a task that suspends once.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void CreateAwaitEach_YieldOnce() => _loop.RunUntilComplete(CreateAwaitEach(Ops, yields: true));

    /// <summary>1,000 tasks that suspend once, all created, then all awaited.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void CreateAllThenAwait_YieldOnce() => _loop.RunUntilComplete(CreateAllThenAwait(Ops));

    /// <summary>With <see cref="LoopOptions.EagerTasks"/>: an empty task finishes inside <c>CreateTask</c>.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void EagerCreateAwaitEach_Empty() => _eagerLoop.RunUntilComplete(CreateAwaitEach(Ops, yields: false));

    /// <summary><c>await Aio.CreateTask(Func&lt;Task&gt;)</c> for a plain .NET function that returns a completed task.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void CreateAwaitEach_FuncTask() => _loop.RunUntilComplete(CreateAwaitEachFuncTask(Ops));

    /// <summary>For comparison: <c>await Empty()</c> inside the current task, no new task (pooled frame).</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void AwaitCoroutineInline_Empty() => _loop.RunUntilComplete(AwaitInline(Ops));

#pragma warning disable CS1998 // an async coroutine without await: the smallest possible task body
    private static async Coroutine<int> Empty() => 1;
#pragma warning restore CS1998

    private static async Coroutine<int> YieldOnce()
    {
        await Aio.Sleep(0);
        return 1;
    }

    private static Task CompletedTask() => Task.CompletedTask;

    private static async Coroutine<int> CreateAwaitEach(int n, bool yields)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += await Aio.CreateTask(yields ? YieldOnce() : Empty());
        }

        return sum;
    }

    private static async Coroutine<int> CreateAllThenAwait(int n)
    {
        var tasks = new AioTask<int>[n];
        for (int i = 0; i < n; i++)
        {
            tasks[i] = Aio.CreateTask(YieldOnce());
        }

        int sum = 0;
        foreach (AioTask<int> t in tasks)
        {
            sum += await t;
        }

        return sum;
    }

    private static async Coroutine CreateAwaitEachFuncTask(int n)
    {
        for (int i = 0; i < n; i++)
        {
            await Aio.CreateTask(CompletedTask);
        }
    }

    private static async Coroutine<int> AwaitInline(int n)
    {
        int sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += await Empty();
        }

        return sum;
    }
}
