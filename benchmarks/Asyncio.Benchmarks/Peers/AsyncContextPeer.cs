using Asyncio.Benchmarks.Harness;
using Nito.AsyncEx;

namespace Asyncio.Benchmarks.Peers;

/// <summary>
/// The workloads inside Nito.AsyncEx.Context's <see cref="AsyncContext"/> (<c>runtime=asynccontext</c>): a
/// single-threaded synchronization context that <c>AsyncContext.Run</c> drives on the calling thread until all its
/// work is done. Bytes come from <c>GC.GetAllocatedBytesForCurrentThread()</c>.
/// </summary>
internal static class AsyncContextPeer
{
    // ------------------------------------------------------------------ callsoon

    private sealed class PostState(long total, int batch)
    {
        public readonly int Batch = batch;
        public SynchronizationContext Context = null!;
        public long Remaining = total;
        public int InBatch;
    }

    private static readonly SendOrPostCallback s_batchItem = static s =>
    {
        var state = (PostState)s!;
        if (--state.InBatch == 0 && state.Remaining > 0)
        {
            QueueBatch(state);
        }
    };

    private static void QueueBatch(PostState state)
    {
        int n = (int)Math.Min(state.Batch, state.Remaining);
        state.Remaining -= n;
        state.InBatch = n;
        SynchronizationContext context = state.Context;
        for (int i = 0; i < n; i++)
        {
            context.Post(s_batchItem, state);
        }
    }

    /// <summary>Batches of <c>SynchronizationContext.Post</c>; the last callback of a batch posts the next.</summary>
    public static Sample PostBatches(long total, int batch)
    {
        var state = new PostState(total, batch);
        long a0 = Measure.ThreadAllocated();
        long t0 = Measure.Now;
        AsyncContext.Run(() =>
        {
            state.Context = SynchronizationContext.Current!;
            QueueBatch(state);
        });
        long t1 = Measure.Now;
        long a1 = Measure.ThreadAllocated();
        return Sample.Throughput(total, Measure.Seconds(t0, t1), a1 - a0);
    }

    private static readonly SendOrPostCallback s_chainItem = static s =>
    {
        var state = (PostState)s!;
        if (--state.Remaining > 0)
        {
            state.Context.Post(s_chainItem!, state);
        }
    };

    /// <summary>Each posted callback posts the next.</summary>
    public static Sample PostChain(long total)
    {
        var state = new PostState(total, 1);
        long a0 = Measure.ThreadAllocated();
        long t0 = Measure.Now;
        AsyncContext.Run(() =>
        {
            state.Context = SynchronizationContext.Current!;
            state.Context.Post(s_chainItem, state);
        });
        long t1 = Measure.Now;
        long a1 = Measure.ThreadAllocated();
        return Sample.Throughput(total, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ pingpong

    /// <summary>Two <c>async Task</c>s on the context, two <see cref="SemaphoreSlim"/>s.</summary>
    public static Sample PingPongSemaphores(int n)
    {
        using var there = new SemaphoreSlim(0);
        using var back = new SemaphoreSlim(0);
        long a0 = Measure.ThreadAllocated();
        long t0 = Measure.Now;
        AsyncContext.Run(async () =>
        {
            async Task Pong()
            {
                for (int i = 0; i < n; i++)
                {
                    await there.WaitAsync();
                    back.Release();
                }
            }

            async Task Ping()
            {
                for (int i = 0; i < n; i++)
                {
                    there.Release();
                    await back.WaitAsync();
                }
            }

            Task pong = Pong();
            Task ping = Ping();
            await ping;
            await pong;
        });
        long t1 = Measure.Now;
        long a1 = Measure.ThreadAllocated();
        return Sample.Throughput(n, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ semaphore

    /// <summary>The semaphore contention of <see cref="ThreadPoolPeer.SemaphoreContention"/> inside <c>AsyncContext.Run</c>.</summary>
    public static Sample SemaphoreContention(int tasks, int permits, int rounds)
    {
        using var semaphore = new SemaphoreSlim(permits);
        long a0 = Measure.ThreadAllocated();
        long t0 = Measure.Now;
        AsyncContext.Run(async () =>
        {
            var all = new Task[tasks];
            for (int i = 0; i < all.Length; i++)
            {
                all[i] = ThreadPoolPeer.SemaphoreWorker(semaphore, rounds);
            }

            await Task.WhenAll(all);
        });
        long t1 = Measure.Now;
        long a1 = Measure.ThreadAllocated();
        if (semaphore.CurrentCount != permits)
        {
            throw new InvalidOperationException($"semaphore: {semaphore.CurrentCount} permits free at the end, expected {permits}.");
        }

        return Sample.Throughput((long)tasks * rounds, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ queue

    /// <summary>Producers and consumers through a bounded <c>Channel&lt;int&gt;</c> inside <c>AsyncContext.Run</c>; see <see cref="ChannelRun"/>.</summary>
    public static Sample QueueChannel(long items, int producers, int consumers, int capacity, bool tryFirst)
    {
        long a0 = Measure.ThreadAllocated();
        long t0 = Measure.Now;
        AsyncContext.Run(() => ChannelRun.Run(items, producers, consumers, capacity, tryFirst));
        long t1 = Measure.Now;
        long a1 = Measure.ThreadAllocated();
        return Sample.Throughput(items, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ gather

    /// <summary><paramref name="n"/> <c>async Task&lt;int&gt;</c> children on the context, then <c>await Task.WhenAll</c>.</summary>
    public static Sample WhenAll(int n, bool yieldOnce)
    {
        var gcs = Measure.Collections();
        long a0 = Measure.ThreadAllocated();
        long t0 = Measure.Now;
        int[] results = AsyncContext.Run(() => WhenAllRun.Run(n, yieldOnce));
        long t1 = Measure.Now;
        long a1 = Measure.ThreadAllocated();
        Workloads.GatherWorkload.Check(yieldOnce ? "gather" : "gather-immediate", results);
        return Workloads.GatherWorkload.Result(n, Measure.Seconds(t0, t1), a1 - a0, Measure.CollectionsSince(gcs));
    }

    // ------------------------------------------------------------------ yield

    /// <summary><c>await Task.Yield()</c> in a loop on the context.</summary>
    public static Sample Yields(long n)
    {
        long a0 = Measure.ThreadAllocated();
        long t0 = Measure.Now;
        AsyncContext.Run(async () =>
        {
            for (long i = 0; i < n; i++)
            {
                await Task.Yield();
            }
        });
        long t1 = Measure.Now;
        long a1 = Measure.ThreadAllocated();
        return Sample.Throughput(n, Measure.Seconds(t0, t1), a1 - a0);
    }

    // ------------------------------------------------------------------ spawn

    private static TimeSpan s_delay = TimeSpan.FromSeconds(1);

    private static async Task SleepOne() => await Task.Delay(s_delay);

    /// <summary>N <c>async Task</c>s each awaiting <c>Task.Delay</c> on the context, then <c>Task.WhenAll</c>.</summary>
    public static Sample Spawn(int n, double sleepSeconds, bool memory)
    {
        s_delay = TimeSpan.FromSeconds(sleepSeconds);
        return AsyncContext.Run(async () =>
        {
            var tasks = new Task[n];
            var meter = SpawnMeter.Start(memory);
            for (int i = 0; i < n; i++)
            {
                tasks[i] = SleepOne();
            }

            meter.Sleeping();
            await Task.WhenAll(tasks);
            return meter.Done(n, sleepSeconds);
        });
    }
}
