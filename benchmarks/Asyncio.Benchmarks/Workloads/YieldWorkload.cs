using Asyncio.Benchmarks.Harness;
using Asyncio.Benchmarks.Peers;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// yield: the cost of one <c>await Aio.Sleep(0)</c> in a coroutine loop (suspend, a trip through the ready queue, resume).
/// Peers: <c>await Task.Yield()</c> on the thread pool and inside <c>AsyncContext.Run</c>.
/// </summary>
internal sealed class YieldWorkload : IWorkload
{
    public string Name => "yield";

    public string Summary => "ns and bytes per `await Aio.Sleep(0)` in a coroutine loop (peers: `await Task.Yield()`).";

    public IReadOnlyList<Metric> Metrics => [Metric.NsPerOp, Metric.BytesPerOp, Metric.OpsPerSec];

    public IReadOnlyList<Target> Targets =>
    [
        Target.For(Name, Metric.NsPerOp, 80, "≤ 80 ns"),
        Target.For(Name, Metric.BytesPerOp, 0.5, "0 B"),
    ];

    public IReadOnlyList<Case> Cases(Options o) =>
    [
        new(Name, Runtime.Asyncio, null, warm => Run(o.Ops(5_000_000, warm))),
        new(Name, Runtime.ThreadPool, null, warm => ThreadPoolPeer.Yields(o.Ops(2_000_000, warm))),
        new(Name, Runtime.AsyncContext, null, warm => AsyncContextPeer.Yields(o.Ops(1_000_000, warm))),
    ];

    public IEnumerable<string> Notes(Options o)
    {
        yield return $"yield: awaits per measurement: asyncio {Format.Count(o.Ops(5_000_000, false))} (Aio.Sleep(0)), " +
                     $"threadpool {Format.Count(o.Ops(2_000_000, false))} and asynccontext {Format.Count(o.Ops(1_000_000, false))} (Task.Yield()).";
    }

    public static Sample Run(long n) => Aio.Run(() => Measured(n));

    private static async Coroutine<Sample> Measured(long n)
    {
        long a0 = Measure.ThreadAllocated();
        double c0 = Measure.ThreadCpuSeconds();
        long t0 = Measure.Now;
        for (long i = 0; i < n; i++)
        {
            await Aio.Sleep(0);
        }

        long t1 = Measure.Now;

        double c1 = Measure.ThreadCpuSeconds();
        long a1 = Measure.ThreadAllocated();
        return Sample.Throughput(n, Measure.Seconds(t0, t1), a1 - a0, c1 - c0);
    }
}
