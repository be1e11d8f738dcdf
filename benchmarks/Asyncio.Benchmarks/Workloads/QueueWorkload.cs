using Asyncio.Benchmarks.Harness;
using Asyncio.Benchmarks.Peers;

namespace Asyncio.Benchmarks.Workloads;

/// <summary>
/// queue, queue-handoff, queue-10x10: producer tasks put ints into a bounded queue and consumer tasks get them; items
/// per second and bytes per item. Ours: <see cref="AsyncQueue{T}"/> with <c>await PutAsync</c> / <c>await
/// GetAsync</c>. Peers: <c>Channel.CreateBounded&lt;int&gt;</c> with the same capacity (single reader / single writer
/// where there is one of each), on the thread pool and inside <c>AsyncContext.Run</c>, each in two variants: item by
/// item (<c>WriteAsync</c> / <c>ReadAsync</c>, the shape of ours) and the Channels idiom (<c>TryWrite</c> /
/// <c>TryRead</c>, awaiting <c>WaitToWriteAsync</c> / <c>WaitToReadAsync</c> only when they fail); the better is reported.
/// </summary>
/// <remarks>
/// Invariant of every run: the items are split evenly, each producer puts <c>items / producers</c> and each consumer
/// gets <c>items / consumers</c> (the item count is rounded down to a multiple of both), so every task ends without a
/// shutdown or a completion; the consumers' sum is checked against what was put.
/// </remarks>
internal sealed class QueueWorkload(
    string name, int producers, int consumers, int capacity, long asyncioItems, long threadPoolItems, long asyncContextItems,
    double? minItemsPerSec, string summary) : IWorkload
{
    public static readonly QueueWorkload OneToOne = new("queue", 1, 1, 1024, 10_000_000, 5_000_000, 5_000_000, 10e6,
        "Items/s and bytes/item through a bounded queue (capacity 1,024), one producer task, one consumer task.");

    public static readonly QueueWorkload HandOff = new("queue-handoff", 1, 1, 1, 2_000_000, 1_000_000, 500_000, 3e6,
        "Items/s and bytes/item through a bounded queue of capacity 1: every item is a hand-off from the producer task to the consumer task.");

    public static readonly QueueWorkload TenByTen = new("queue-10x10", 10, 10, 1024, 10_000_000, 5_000_000, 5_000_000, null,
        "Items/s and bytes/item through a bounded queue (capacity 1,024), 10 producer tasks, 10 consumer tasks.");

    public string Name => name;

    public string Summary => summary;

    public IReadOnlyList<Metric> Metrics => [Metric.OpsPerSec, Metric.BytesPerOp];

    public IReadOnlyList<Target> Targets => minItemsPerSec is { } min
        ?
        [
            Target.For(Name, Metric.OpsPerSec, min, $"≥ {Format.Fixed(min / 1e6, 0)} M/s"),
            Target.For(Name, Metric.BytesPerOp, 0.5, "0 B"),
        ]
        : [Target.For(Name, Metric.BytesPerOp, 0.5, "0 B")];

    public IReadOnlyList<Case> Cases(Options o) =>
    [
        new(Name, Runtime.Asyncio, null, warm => Run(Items(o, asyncioItems, warm))),
        new(Name, Runtime.ThreadPool, "read_write", warm => ThreadPoolPeer.QueueChannel(Items(o, threadPoolItems, warm), producers, consumers, capacity, tryFirst: false)),
        new(Name, Runtime.ThreadPool, "try_then_wait", warm => ThreadPoolPeer.QueueChannel(Items(o, threadPoolItems, warm), producers, consumers, capacity, tryFirst: true)),
        new(Name, Runtime.AsyncContext, "read_write", warm => AsyncContextPeer.QueueChannel(Items(o, asyncContextItems, warm), producers, consumers, capacity, tryFirst: false)),
        new(Name, Runtime.AsyncContext, "try_then_wait", warm => AsyncContextPeer.QueueChannel(Items(o, asyncContextItems, warm), producers, consumers, capacity, tryFirst: true)),
    ];

    /// <summary>Items for a run, rounded down to a multiple of producers × consumers so both split evenly.</summary>
    private long Items(Options o, long full, bool warm)
    {
        long n = o.Ops(full, warm);
        long unit = (long)producers * consumers;
        return Math.Max(unit, n - (n % unit));
    }

    public IEnumerable<string> Notes(Options o)
    {
        yield return $"{Name}: {producers} producer(s), {consumers} consumer(s), capacity {Format.Count(capacity)}; items per measurement: " +
                     $"asyncio {Format.Count(Items(o, asyncioItems, false))}, threadpool {Format.Count(Items(o, threadPoolItems, false))}, " +
                     $"asynccontext {Format.Count(Items(o, asyncContextItems, false))}; the window includes creating the tasks and awaiting them all.";
        yield return $"{Name} asyncio: AsyncQueue<int>({capacity}), `await q.PutAsync(i)` / `sum += await q.GetAsync()`; peers: " +
                     $"Channel.CreateBounded<int>({capacity}{(producers == 1 ? ", SingleWriter" : "")}{(consumers == 1 ? ", SingleReader" : "")}), " +
                     "read_write: `await WriteAsync(i)` / `await ReadAsync()`; try_then_wait: `while (!TryWrite(i)) await WaitToWriteAsync()` / " +
                     "`TryRead`, else `await WaitToReadAsync()`.";
    }

    public Sample Run(long items) => Aio.Run(() => Measured(items));

    private async Coroutine<Sample> Measured(long items)
    {
        var queue = new AsyncQueue<int>(capacity);
        var getters = new AioTask<long>[consumers];
        var putters = new AioTask[producers];
        int perProducer = checked((int)(items / producers));
        int perConsumer = checked((int)(items / consumers));
        long a0 = Measure.ThreadAllocated();
        double c0 = Measure.ThreadCpuSeconds();
        long t0 = Measure.Now;
        for (int i = 0; i < consumers; i++)
        {
            getters[i] = Aio.CreateTask(Consumer(queue, perConsumer));
        }

        for (int i = 0; i < producers; i++)
        {
            putters[i] = Aio.CreateTask(Producer(queue, perProducer));
        }

        long sum = 0;
        foreach (AioTask<long> g in getters)
        {
            sum += await g;
        }

        foreach (AioTask p in putters)
        {
            await p;
        }

        long t1 = Measure.Now;

        double c1 = Measure.ThreadCpuSeconds();
        long a1 = Measure.ThreadAllocated();
        CheckSum(Name, sum, producers, perProducer);
        return Sample.Throughput(items, Measure.Seconds(t0, t1), a1 - a0, c1 - c0);
    }

    private static async Coroutine Producer(AsyncQueue<int> queue, int n)
    {
        for (int i = 0; i < n; i++)
        {
            await queue.PutAsync(i);
        }
    }

    private static async Coroutine<long> Consumer(AsyncQueue<int> queue, int n)
    {
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += await queue.GetAsync();
        }

        return sum;
    }

    /// <summary>Every producer puts 0 .. perProducer-1: the consumers together must have got exactly that.</summary>
    public static void CheckSum(string workload, long sum, int producers, int perProducer)
    {
        long expected = (long)producers * perProducer * (perProducer - 1) / 2;
        if (sum != expected)
        {
            throw new InvalidOperationException($"{workload}: the consumers' items add up to {sum}, expected {expected}: an item was lost or duplicated.");
        }
    }
}
