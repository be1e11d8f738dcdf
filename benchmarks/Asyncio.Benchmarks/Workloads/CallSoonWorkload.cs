using Asyncio.Benchmarks.Harness;
using Asyncio.Benchmarks.Peers;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// callsoon: callbacks per second when they are queued in batches of 1,000 with <c>loop.CallSoon(staticCallback, state)</c>
/// and the last callback of each batch queues the next batch. Peers: <c>ThreadPool.UnsafeQueueUserWorkItem</c> batches,
/// <c>SynchronizationContext.Post</c> batches inside <c>AsyncContext.Run</c>.
/// </summary>
internal sealed class CallSoonWorkload : IWorkload
{
    public const int BatchSize = 1000;

    public string Name => "callsoon";

    public string Summary => "Callbacks/s and bytes/callback, queued in batches of 1,000 (the last one queues the next batch).";

    public IReadOnlyList<Metric> Metrics => [Metric.OpsPerSec, Metric.BytesPerOp];

    public IReadOnlyList<Target> Targets =>
    [
        Target.For(Name, Metric.OpsPerSec, 50e6, "≥ 50 M/s"),
        Target.For(Name, Metric.BytesPerOp, 0.5, "0 B"),
    ];

    public IReadOnlyList<Case> Cases(Options o) =>
    [
        new(Name, Runtime.Asyncio, null, warm => Run(o.Ops(10_000_000, warm))),
        new(Name, Runtime.ThreadPool, "global_queue", warm => ThreadPoolPeer.QueueBatches(o.Ops(5_000_000, warm), BatchSize, preferLocal: false)),
        new(Name, Runtime.ThreadPool, "local_queue", warm => ThreadPoolPeer.QueueBatches(o.Ops(5_000_000, warm), BatchSize, preferLocal: true)),
        new(Name, Runtime.AsyncContext, null, warm => AsyncContextPeer.PostBatches(o.Ops(1_000_000, warm), BatchSize)),
    ];

    public IEnumerable<string> Notes(Options o)
    {
        yield return $"callsoon: batches of {Format.Count(BatchSize)} callbacks (static Action<object?> + state); callbacks per measurement: " +
                     $"asyncio {Format.Count(o.Ops(10_000_000, false))}, threadpool {Format.Count(o.Ops(5_000_000, false))}, asynccontext {Format.Count(o.Ops(1_000_000, false))}.";
        yield return "callsoon threadpool: ThreadPool.UnsafeQueueUserWorkItem(static cb, state, preferLocal) from a pool thread; " +
                     "both preferLocal values are measured and the better is reported.";
    }

    private sealed class State(EventLoop loop, long total)
    {
        public readonly EventLoop Loop = loop;
        public long Remaining = total;
        public int InBatch;
    }

    private static readonly Action<object?> s_callback = static s =>
    {
        var state = (State)s!;
        if (--state.InBatch == 0)
        {
            if (state.Remaining == 0)
            {
                state.Loop.Stop();
            }
            else
            {
                QueueBatch(state);
            }
        }
    };

    private static void QueueBatch(State state)
    {
        int n = (int)Math.Min(BatchSize, state.Remaining);
        state.Remaining -= n;
        state.InBatch = n;
        EventLoop loop = state.Loop;
        for (int i = 0; i < n; i++)
        {
            loop.CallSoon(s_callback, state);
        }
    }

    /// <summary>Our loop: the first batch is queued before <c>RunForever</c>; the loop stops after the last callback.</summary>
    public static Sample Run(long total)
    {
        var loop = new EventLoop();
        try
        {
            var state = new State(loop, total);
            long a0 = Measure.ThreadAllocated();
            double c0 = Measure.ThreadCpuSeconds();
            long t0 = Measure.Now;
            QueueBatch(state);
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
