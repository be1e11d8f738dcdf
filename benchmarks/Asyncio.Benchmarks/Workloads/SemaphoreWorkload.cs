using Asyncio.Benchmarks.Harness;
using Asyncio.Benchmarks.Peers;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// semaphore: 10,000 tasks contend for 100 permits; each round a task acquires a permit, yields once while holding it,
/// and releases it. Acquisitions per second (every one but the first 100 waits in the semaphore's queue) and bytes
/// per acquisition. Ours: <see cref="AsyncSemaphore"/> with <c>await using (await sem.AcquireAsync()) { await
/// Aio.Sleep(0); }</c>. Peers: <see cref="SemaphoreSlim"/> with <c>WaitAsync</c> / <c>Task.Yield()</c> /
/// <c>Release</c> in <c>async Task</c>s on the thread pool and inside <c>AsyncContext.Run</c>.
/// </summary>
internal sealed class SemaphoreWorkload : IWorkload
{
    /// <summary>Tasks contending. Fixed (also with --quick, which shortens the rounds): it is the shape of the workload.</summary>
    public const int Tasks = 10_000;

    /// <summary>Permits: at most this many tasks hold one at any time.</summary>
    public const int Permits = 100;

    public string Name => "semaphore";

    public string Summary => "Acquisitions/s and bytes/acquisition: 10,000 tasks contend for 100 permits, each yielding once while it holds one.";

    public IReadOnlyList<Metric> Metrics => [Metric.OpsPerSec, Metric.BytesPerOp];

    public IReadOnlyList<Target> Targets =>
    [
        Target.Ratio(Name, Metric.OpsPerSec, Runtime.ThreadPool, 2, "≥ 2× threadpool"),
    ];

    public IReadOnlyList<Case> Cases(Options o) =>
    [
        new(Name, Runtime.Asyncio, null, warm => Run(Rounds(o.Ops(AsyncioOps, warm)))),
        new(Name, Runtime.ThreadPool, null, warm => ThreadPoolPeer.SemaphoreContention(Tasks, Permits, Rounds(o.Ops(ThreadPoolOps, warm)))),
        new(Name, Runtime.AsyncContext, null, warm => AsyncContextPeer.SemaphoreContention(Tasks, Permits, Rounds(o.Ops(AsyncContextOps, warm)))),
    ];

    private const long AsyncioOps = 2_000_000;
    private const long ThreadPoolOps = 1_000_000;
    private const long AsyncContextOps = 500_000;

    /// <summary>Rounds per task for about <paramref name="ops"/> acquisitions in all (at least one).</summary>
    private static int Rounds(long ops) => (int)Math.Max(1, ops / Tasks);

    public IEnumerable<string> Notes(Options o)
    {
        yield return $"semaphore: {Format.Count(Tasks)} tasks, {Permits} permits; acquisitions per measurement: " +
                     $"asyncio {Format.Count((long)Tasks * Rounds(o.Ops(AsyncioOps, false)))}, " +
                     $"threadpool {Format.Count((long)Tasks * Rounds(o.Ops(ThreadPoolOps, false)))}, " +
                     $"asynccontext {Format.Count((long)Tasks * Rounds(o.Ops(AsyncContextOps, false)))} " +
                     "(rounds per task = acquisitions / tasks); the window includes creating the tasks and awaiting them all.";
        yield return "semaphore asyncio: AsyncSemaphore(100), coroutine tasks doing `await using (await sem.AcquireAsync()) { await Aio.Sleep(0); }`; " +
                     "peers: SemaphoreSlim(100), async Tasks doing `await sem.WaitAsync(); try { await Task.Yield(); } finally { sem.Release(); }`.";
    }

    public static Sample Run(int rounds) => Aio.Run(() => Measured(rounds));

    private static async Coroutine<Sample> Measured(int rounds)
    {
        var semaphore = new AsyncSemaphore(Permits);
        var tasks = new AioTask[Tasks];
        long a0 = Measure.ThreadAllocated();
        double c0 = Measure.ThreadCpuSeconds();
        long t0 = Measure.Now;
        for (int i = 0; i < tasks.Length; i++)
        {
            tasks[i] = Aio.CreateTask(Worker(semaphore, rounds));
        }

        foreach (AioTask t in tasks)
        {
            await t;
        }

        long t1 = Measure.Now;

        double c1 = Measure.ThreadCpuSeconds();
        long a1 = Measure.ThreadAllocated();
        if (semaphore.CurrentCount != Permits)
        {
            throw new InvalidOperationException($"semaphore: {semaphore.CurrentCount} permits free at the end, expected {Permits}.");
        }

        return Sample.Throughput((long)Tasks * rounds, Measure.Seconds(t0, t1), a1 - a0, c1 - c0);
    }

    private static async Coroutine Worker(AsyncSemaphore semaphore, int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            await using (await semaphore.AcquireAsync())
            {
                await Aio.Sleep(0);
            }
        }
    }
}
