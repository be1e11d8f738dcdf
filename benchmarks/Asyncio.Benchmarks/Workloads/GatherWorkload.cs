using Asyncio.Benchmarks.Harness;
using Asyncio.Benchmarks.Peers;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// gather: 100,000 child coroutines gathered; seconds from the first child created to the gathered results, and bytes
/// allocated per child in that window. Ours: <c>await Aio.Gather(children)</c> over <c>Coroutine&lt;int&gt;</c>s.
/// Peers: <c>await Task.WhenAll(children)</c> over <c>async Task&lt;int&gt;</c> methods, on the thread pool and
/// inside <c>AsyncContext.Run</c>. <c>gather</c> (the primary figure): every child yields once (<c>Aio.Sleep(0)</c>,
/// peers <c>Task.Yield()</c>) and returns its index; <c>gather-immediate</c>: every child returns its index at once.
/// Children return their index, not a constant, so the peers' <c>Task&lt;int&gt;</c> results cannot come from the
/// runtime's cache of small completed tasks.
/// </summary>
internal sealed class GatherWorkload(string name, bool yieldOnce, string summary) : IWorkload
{
    public static readonly GatherWorkload YieldOnce = new("gather", true,
        "Seconds and bytes/child to gather 100,000 child coroutines that each yield once (peers: Task.WhenAll).");

    public static readonly GatherWorkload Immediate = new("gather-immediate", false,
        "Seconds and bytes/child to gather 100,000 child coroutines that return at once (peers: Task.WhenAll).");

    private const long Children = 100_000;

    public string Name => name;

    public string Summary => summary;

    public IReadOnlyList<Metric> Metrics => [Metric.Seconds, Metric.BytesPerOp];

    public IReadOnlyList<Target> Targets => [];

    public IReadOnlyList<Case> Cases(Options o) =>
    [
        new(Name, Runtime.Asyncio, null, warm => Run((int)o.Ops(Children, warm), yieldOnce)),
        new(Name, Runtime.ThreadPool, null, warm => ThreadPoolPeer.WhenAll((int)o.Ops(Children, warm), yieldOnce)),
        new(Name, Runtime.AsyncContext, null, warm => AsyncContextPeer.WhenAll((int)o.Ops(Children, warm), yieldOnce)),
    ];

    public IEnumerable<string> Notes(Options o)
    {
        string body = yieldOnce ? "`await Aio.Sleep(0); return i;` (peers: `await Task.Yield(); return i;`)" : "`return i;` at once";
        yield return $"{Name}: {Format.Count(o.Ops(Children, false))} children per measurement on every runtime, each {body}; " +
                     "asyncio: `await Aio.Gather(children)` over an array of Coroutine<int>; peers: `await Task.WhenAll(children)` over " +
                     "an array of Task<int> from async Task<int> methods. seconds: from creating the first child to the results array; " +
                     "bytes_per_op: bytes allocated in that window per child (the children array included).";
    }

    /// <summary>A gather sample: seconds for the whole gather, bytes per child; the note says how many GCs ran in the window.</summary>
    public static Sample Result(int children, double seconds, long bytes, string collections) => new Sample { Count = children, Note = collections }
        .Set(Metric.Seconds, seconds)
        .Set(Metric.BytesPerOp, (double)bytes / children);

    /// <summary>The results are the children's indexes, in order: checked so that nothing is optimized away or lost.</summary>
    public static void Check(string workload, int[] results)
    {
        for (int i = 0; i < results.Length; i++)
        {
            if (results[i] != i)
            {
                throw new InvalidOperationException($"{workload}: result {i} is {results[i]}, expected {i}.");
            }
        }
    }

    public static Sample Run(int n, bool yieldOnce) => Aio.Run(() => Measured(n, yieldOnce));

    private static async Coroutine<Sample> Measured(int n, bool yieldOnce)
    {
        var gcs = Measure.Collections();
        long a0 = Measure.ThreadAllocated();
        long t0 = Measure.Now;
        var children = new Coroutine<int>[n];
        for (int i = 0; i < n; i++)
        {
            children[i] = yieldOnce ? ChildYieldOnce(i) : ChildImmediate(i);
        }

        int[] results = await Aio.Gather(children);
        long t1 = Measure.Now;
        long a1 = Measure.ThreadAllocated();
        Check(yieldOnce ? "gather" : "gather-immediate", results);
        return Result(n, Measure.Seconds(t0, t1), a1 - a0, Measure.CollectionsSince(gcs));
    }

    private static async Coroutine<int> ChildYieldOnce(int i)
    {
        await Aio.Sleep(0);
        return i;
    }

#pragma warning disable CS1998 // an async coroutine without await: the child that returns at once
    private static async Coroutine<int> ChildImmediate(int i) => i;
#pragma warning restore CS1998
}
