using System.Threading.Channels;
using Asyncio.Benchmarks.Harness;

namespace Asyncio.Benchmarks.Peers;

/// <summary>
/// The workloads on .NET's thread pool (<c>runtime=threadpool</c>): work items, <c>Task</c>, <c>SemaphoreSlim</c>,
/// Channels. The pool uses every core, so its figures are multi-threaded. Bytes come from
/// <c>GC.GetTotalAllocatedBytes(true)</c> (all threads).
/// </summary>
internal static class ThreadPoolPeer
{
    // ------------------------------------------------------------------ callsoon

    private sealed class BatchState(long total, int batch, bool preferLocal)
    {
        public readonly int Batch = batch;
        public readonly bool PreferLocal = preferLocal;
        public readonly ManualResetEventSlim Done = new();
        public long Remaining = total;
        public int InBatch;
    }

    private static readonly Action<BatchState> s_batchItem = static state =>
    {
        if (Interlocked.Decrement(ref state.InBatch) == 0)
        {
            if (state.Remaining == 0)
            {
                state.Done.Set();
            }
            else
            {
                QueueBatch(state);
            }
        }
    };

    private static void QueueBatch(BatchState state)
    {
        int n = (int)Math.Min(state.Batch, state.Remaining);
        state.Remaining -= n;
        Volatile.Write(ref state.InBatch, n);
        for (int i = 0; i < n; i++)
        {
            ThreadPool.UnsafeQueueUserWorkItem(s_batchItem, state, state.PreferLocal);
        }
    }

    /// <summary>Batches of work items; the one that finishes a batch queues the next (queued from a pool thread).</summary>
    public static Sample QueueBatches(long total, int batch, bool preferLocal)
    {
        var state = new BatchState(total, batch, preferLocal);
        long a0 = Measure.AllAllocated();
        long t0 = Measure.Now;
        ThreadPool.UnsafeQueueUserWorkItem(static s => QueueBatch(s), state, preferLocal: false);
        state.Done.Wait();
        long t1 = Measure.Now;
        long a1 = Measure.AllAllocated();
        state.Done.Dispose();
        return Sample.Throughput(total, Measure.Seconds(t0, t1), a1 - a0);
    }

    private sealed class ChainState(long total, bool preferLocal)
    {
        public readonly bool PreferLocal = preferLocal;
        public readonly ManualResetEventSlim Done = new();
        public long Remaining = total;
    }

    private static readonly Action<ChainState> s_chainItem = static state =>
    {
        if (--state.Remaining == 0)
        {
            state.Done.Set();
        }
        else
        {
            ThreadPool.UnsafeQueueUserWorkItem(s_chainItem!, state, state.PreferLocal);
        }
    };

    /// <summary>Each work item queues the next one.</summary>
    public static Sample QueueChain(long total, bool preferLocal)
    {
        var state = new ChainState(total, preferLocal);
        long a0 = Measure.AllAllocated();
        long t0 = Measure.Now;
        ThreadPool.UnsafeQueueUserWorkItem(s_chainItem, state, preferLocal: false);
        state.Done.Wait();
        long t1 = Measure.Now;
        long a1 = Measure.AllAllocated();
        state.Done.Dispose();
        return Sample.Throughput(total, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ pingpong

    /// <summary>Two <c>async Task</c>s on the pool, two <see cref="SemaphoreSlim"/>s.</summary>
    public static Sample PingPongSemaphores(int n)
    {
        using var there = new SemaphoreSlim(0);
        using var back = new SemaphoreSlim(0);
        long a0 = Measure.AllAllocated();
        long t0 = Measure.Now;
        Task pong = Task.Run(async () =>
        {
            for (int i = 0; i < n; i++)
            {
                await there.WaitAsync();
                back.Release();
            }
        });
        Task ping = Task.Run(async () =>
        {
            for (int i = 0; i < n; i++)
            {
                there.Release();
                await back.WaitAsync();
            }
        });
        Task.WaitAll(ping, pong);
        long t1 = Measure.Now;
        long a1 = Measure.AllAllocated();
        return Sample.Throughput(n, Measure.Seconds(t0, t1), a1 - a0);
    }

    /// <summary>Two <c>async Task</c>s on the pool, two bounded(1) single-reader/single-writer <see cref="Channel{T}"/>s.</summary>
    public static Sample PingPongChannels(int n)
    {
        var options = new BoundedChannelOptions(1) { SingleReader = true, SingleWriter = true };
        Channel<int> there = Channel.CreateBounded<int>(options);
        Channel<int> back = Channel.CreateBounded<int>(options);
        long a0 = Measure.AllAllocated();
        long t0 = Measure.Now;
        Task pong = Task.Run(async () =>
        {
            for (int i = 0; i < n; i++)
            {
                int v = await there.Reader.ReadAsync();
                await back.Writer.WriteAsync(v + 1);
            }
        });
        Task ping = Task.Run(async () =>
        {
            for (int i = 0; i < n; i++)
            {
                await there.Writer.WriteAsync(i);
                int answer = await back.Reader.ReadAsync();
                if (answer != i + 1)
                {
                    throw new InvalidOperationException($"pingpong: sent {i}, got {answer} back.");
                }
            }
        });
        Task.WaitAll(ping, pong);
        long t1 = Measure.Now;
        long a1 = Measure.AllAllocated();
        return Sample.Throughput(n, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ semaphore

    /// <summary>
    /// <paramref name="tasks"/> <c>async Task</c>s started from a pool thread contend for a <see cref="SemaphoreSlim"/>
    /// of <paramref name="permits"/>, <paramref name="rounds"/> times each: <c>WaitAsync</c>, <c>Task.Yield()</c>, <c>Release</c>.
    /// </summary>
    public static Sample SemaphoreContention(int tasks, int permits, int rounds)
    {
        using var semaphore = new SemaphoreSlim(permits);
        long a0 = Measure.AllAllocated();
        long t0 = Measure.Now;
        Task.Run(async () =>
        {
            var all = new Task[tasks];
            for (int i = 0; i < all.Length; i++)
            {
                all[i] = SemaphoreWorker(semaphore, rounds);
            }

            await Task.WhenAll(all);
        }).Wait();
        long t1 = Measure.Now;
        long a1 = Measure.AllAllocated();
        if (semaphore.CurrentCount != permits)
        {
            throw new InvalidOperationException($"semaphore: {semaphore.CurrentCount} permits free at the end, expected {permits}.");
        }

        return Sample.Throughput((long)tasks * rounds, Measure.Seconds(t0, t1), a1 - a0);
    }

    /// <summary>One contending task (shared with <see cref="AsyncContextPeer"/>, where its continuations post to the context).</summary>
    internal static async Task SemaphoreWorker(SemaphoreSlim semaphore, int rounds)
    {
        for (int i = 0; i < rounds; i++)
        {
            await semaphore.WaitAsync();
            try
            {
                await Task.Yield();
            }
            finally
            {
                semaphore.Release();
            }
        }
    }

    // ------------------------------------------------------------------ queue

    /// <summary>
    /// Producers and consumers on the pool through a <c>Channel.CreateBounded&lt;int&gt;(capacity)</c>; see
    /// <see cref="ChannelRun"/>. Started from a pool thread.
    /// </summary>
    public static Sample QueueChannel(long items, int producers, int consumers, int capacity, bool tryFirst)
    {
        long a0 = Measure.AllAllocated();
        long t0 = Measure.Now;
        Task.Run(() => ChannelRun.Run(items, producers, consumers, capacity, tryFirst)).Wait();
        long t1 = Measure.Now;
        long a1 = Measure.AllAllocated();
        return Sample.Throughput(items, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ gather

    /// <summary><paramref name="n"/> <c>async Task&lt;int&gt;</c> children created on a pool thread, then <c>await Task.WhenAll</c>.</summary>
    public static Sample WhenAll(int n, bool yieldOnce)
    {
        var gcs = Measure.Collections();
        long a0 = Measure.AllAllocated();
        long t0 = Measure.Now;
        int[] results = Task.Run(() => WhenAllRun.Run(n, yieldOnce)).GetAwaiter().GetResult();
        long t1 = Measure.Now;
        long a1 = Measure.AllAllocated();
        Workloads.GatherWorkload.Check(yieldOnce ? "gather" : "gather-immediate", results);
        return Workloads.GatherWorkload.Result(n, Measure.Seconds(t0, t1), a1 - a0, Measure.CollectionsSince(gcs));
    }

    // ------------------------------------------------------------------ yield

    /// <summary><c>await Task.Yield()</c> in a loop, on the pool.</summary>
    public static Sample Yields(long n)
    {
        long a0 = Measure.AllAllocated();
        long t0 = Measure.Now;
        Task.Run(async () =>
        {
            for (long i = 0; i < n; i++)
            {
                await Task.Yield();
            }
        }).Wait();
        long t1 = Measure.Now;
        long a1 = Measure.AllAllocated();
        return Sample.Throughput(n, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ spawn

    private static TimeSpan s_delay = TimeSpan.FromSeconds(1);

    private static async Task SleepOne() => await Task.Delay(s_delay);

    /// <summary>N <c>async Task</c>s each awaiting <c>Task.Delay</c>, then <c>Task.WhenAll</c>.</summary>
    public static Sample Spawn(int n, double sleepSeconds, bool memory)
    {
        s_delay = TimeSpan.FromSeconds(sleepSeconds);
        var tasks = new Task[n];
        var meter = SpawnMeter.Start(memory);
        for (int i = 0; i < n; i++)
        {
            tasks[i] = SleepOne();
        }

        meter.Sleeping();
        Task.WhenAll(tasks).Wait();
        return meter.Done(n, sleepSeconds);
    }
}
