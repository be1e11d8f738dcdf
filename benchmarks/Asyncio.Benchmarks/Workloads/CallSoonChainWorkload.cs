using Asyncio.Benchmarks.Harness;
using Asyncio.Benchmarks.Peers;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// callsoon_chain: each callback queues the next, so every callback costs a whole loop iteration (poll, timers,
/// ready batch of one). Peers: a work item that queues the next one; a Post that posts the next one.
/// </summary>
internal sealed class CallSoonChainWorkload : IWorkload
{
    public string Name => "callsoon_chain";

    public string Summary => "Callbacks/s when each callback queues the next (one callback per loop iteration).";

    public IReadOnlyList<Metric> Metrics => [Metric.OpsPerSec, Metric.BytesPerOp];

    public IReadOnlyList<Target> Targets => [Target.For(Name, Metric.BytesPerOp, 0.5, "0 B")];

    public IReadOnlyList<Case> Cases(Options o) =>
    [
        new(Name, Runtime.Asyncio, null, warm => Run(o.Ops(5_000_000, warm))),
        new(Name, Runtime.ThreadPool, "global_queue", warm => ThreadPoolPeer.QueueChain(o.Ops(2_000_000, warm), preferLocal: false)),
        new(Name, Runtime.ThreadPool, "local_queue", warm => ThreadPoolPeer.QueueChain(o.Ops(2_000_000, warm), preferLocal: true)),
        new(Name, Runtime.AsyncContext, null, warm => AsyncContextPeer.PostChain(o.Ops(1_000_000, warm))),
    ];

    public IEnumerable<string> Notes(Options o)
    {
        yield return $"callsoon_chain: callbacks per measurement: asyncio {Format.Count(o.Ops(5_000_000, false))}, threadpool {Format.Count(o.Ops(2_000_000, false))}, " +
                     $"asynccontext {Format.Count(o.Ops(1_000_000, false))}; threadpool: both preferLocal values measured, the better reported.";
    }

    private sealed class State(EventLoop loop, long total)
    {
        public readonly EventLoop Loop = loop;
        public long Remaining = total;
    }

    private static readonly Action<object?> s_callback = static s =>
    {
        var state = (State)s!;
        if (--state.Remaining == 0)
        {
            state.Loop.Stop();
        }
        else
        {
            state.Loop.CallSoon(s_callback!, state);
        }
    };

    public static Sample Run(long total)
    {
        var loop = new EventLoop();
        try
        {
            var state = new State(loop, total);
            long a0 = Measure.ThreadAllocated();
            double c0 = Measure.ThreadCpuSeconds();
            long t0 = Measure.Now;
            loop.CallSoon(s_callback, state);
            loop.RunForever();
            long t1 = Measure.Now;
            double c1 = Measure.ThreadCpuSeconds();
            long a1 = Measure.ThreadAllocated();
            return Sample.Throughput(total, Measure.Seconds(t0, t1), a1 - a0, c1 - c0);
        }
        finally
        {
            loop.Close();
        }
    }
}
