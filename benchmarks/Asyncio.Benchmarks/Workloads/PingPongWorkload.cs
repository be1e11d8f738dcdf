using Asyncio.Benchmarks.Harness;
using Asyncio.Benchmarks.Peers;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// pingpong: two coroutines hand an int back and forth through two <see cref="OneSlotChannel"/>s. One round trip is
/// two hand-offs (two task switches). Peers: two <c>SemaphoreSlim</c>s or two bounded(1) <c>Channel&lt;int&gt;</c>s on
/// the thread pool (the better is reported), two <c>SemaphoreSlim</c>s inside <c>AsyncContext.Run</c>.
/// </summary>
internal sealed class PingPongWorkload : IWorkload
{
    public string Name => "pingpong";

    public string Summary => "Round trips/s and bytes/round trip of an int handed back and forth between two tasks (1,000,000 times).";

    public IReadOnlyList<Metric> Metrics => [Metric.OpsPerSec, Metric.BytesPerOp];

    public IReadOnlyList<Target> Targets =>
    [
        Target.For(Name, Metric.OpsPerSec, 5e6, "≥ 5 M/s"),
        Target.For(Name, Metric.BytesPerOp, 0.5, "0 B"),
    ];

    public IReadOnlyList<Case> Cases(Options o) =>
    [
        new(Name, Runtime.Asyncio, null, warm => Run((int)o.Ops(1_000_000, warm))),
        new(Name, Runtime.ThreadPool, "semaphoreslim", warm => ThreadPoolPeer.PingPongSemaphores((int)o.Ops(1_000_000, warm))),
        new(Name, Runtime.ThreadPool, "channel", warm => ThreadPoolPeer.PingPongChannels((int)o.Ops(1_000_000, warm))),
        new(Name, Runtime.AsyncContext, null, warm => AsyncContextPeer.PingPongSemaphores((int)o.Ops(1_000_000, warm))),
    ];

    public IEnumerable<string> Notes(Options o)
    {
        yield return $"pingpong: {Format.Count(o.Ops(1_000_000, false))} round trips per measurement on every runtime; asyncio: a one-slot " +
                     "channel on WaitQueue; threadpool: two SemaphoreSlim or two Channel.CreateBounded<int>(1) (better reported); " +
                     "asynccontext: two SemaphoreSlim.";
    }

    public static Sample Run(int n) => Aio.Run(() => Measured(n));

    private static async Coroutine<Sample> Measured(int n)
    {
        var there = new OneSlotChannel();
        var back = new OneSlotChannel();
        long a0 = Measure.ThreadAllocated();
        double c0 = Measure.ThreadCpuSeconds();
        long t0 = Measure.Now;
        AioTask pong = Aio.CreateTask(Pong(there, back, n));
        AioTask ping = Aio.CreateTask(Ping(there, back, n));
        await ping;
        await pong;
        long t1 = Measure.Now;
        double c1 = Measure.ThreadCpuSeconds();
        long a1 = Measure.ThreadAllocated();
        return Sample.Throughput(n, Measure.Seconds(t0, t1), a1 - a0, c1 - c0);
    }

    private static async Coroutine Ping(OneSlotChannel there, OneSlotChannel back, int n)
    {
        for (int i = 0; i < n; i++)
        {
            there.Put(i);
            int answer = await back.Take();
            if (answer != i + 1)
            {
                throw new InvalidOperationException($"pingpong: sent {i}, got {answer} back.");
            }
        }
    }

    private static async Coroutine Pong(OneSlotChannel there, OneSlotChannel back, int n)
    {
        for (int i = 0; i < n; i++)
        {
            int v = await there.Take();
            back.Put(v + 1);
        }
    }
}
