using System.Diagnostics;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>
/// A fixed computation (a hash summed over <paramref name="Iterations"/> integers) split in <paramref name="Pieces"/>
/// = cores pieces: as coroutines on one loop (they take turns on its one thread), through <see cref="Aio.ToThread{T}(Func{T})"/>
/// (the thread pool, every core), and on as many OS threads.
/// </summary>
internal sealed record CpuResult(int Pieces, long Iterations, double CoroutinesSeconds, double ToThreadSeconds, double ThreadsSeconds, bool ChecksumsMatch)
{
    public double ToThreadSpeedup => CoroutinesSeconds / ToThreadSeconds;

    public double ThreadsSpeedup => CoroutinesSeconds / ThreadsSeconds;
}

internal static class CpuBound
{
    private const long Chunk = 1 << 20;

    public static CpuResult Measure(double targetSeconds, CancellationToken cancel)
    {
        // Calibrate: how many iterations fill the target time on one thread.
        Work(0, Chunk);
        var clock = Stopwatch.StartNew();
        long probe = 0;
        while (clock.Elapsed.TotalSeconds < 0.05)
        {
            Work(probe, probe + Chunk);
            probe += Chunk;
        }

        long n = Math.Max(Chunk, (long)(probe / clock.Elapsed.TotalSeconds * targetSeconds) / Chunk * Chunk);
        int pieces = Environment.ProcessorCount;
        cancel.ThrowIfCancellationRequested();

        clock.Restart();
        long a = Aio.Run(() => Coroutines(n, pieces), MeasureLoop.Options);
        double coroutines = clock.Elapsed.TotalSeconds;
        cancel.ThrowIfCancellationRequested();

        clock.Restart();
        long b = Aio.Run(() => ToThread(n, pieces), MeasureLoop.Options);
        double toThread = clock.Elapsed.TotalSeconds;
        cancel.ThrowIfCancellationRequested();

        clock.Restart();
        long c = Threads(n, pieces);
        double threads = clock.Elapsed.TotalSeconds;

        return new CpuResult(pieces, n, coroutines, toThread, threads, a == b && b == c);
    }

    /// <summary>splitmix64 of each index, low 16 bits summed: cheap, not foldable by the JIT, the same on every path.</summary>
    internal static long Work(long from, long to)
    {
        long sum = 0;
        for (long i = from; i < to; i++)
        {
            ulong z = (ulong)i + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            sum += (long)((z ^ (z >> 31)) & 0xFFFF);
        }

        return sum;
    }

    private static (long From, long To) Slice(long n, int pieces, int i) => (n * i / pieces, n * (i + 1) / pieces);

    private static async Coroutine<long> Coroutines(long n, int pieces)
    {
        var tasks = new AioTask<long>[pieces];
        for (int i = 0; i < pieces; i++)
        {
            var (from, to) = Slice(n, pieces, i);
            tasks[i] = Aio.CreateTask(Piece(from, to));
        }

        long sum = 0;
        foreach (AioTask<long> t in tasks)
        {
            sum += await t;
        }

        return sum;

        static async Coroutine<long> Piece(long from, long to)
        {
            long sum = 0;
            for (long i = from; i < to; i += Chunk)
            {
                sum += Work(i, Math.Min(to, i + Chunk));
                await Aio.Sleep(0);   // cooperative: let the other pieces take their turn
            }

            return sum;
        }
    }

    private static async Coroutine<long> ToThread(long n, int pieces)
    {
        var futures = new Future<long>[pieces];
        for (int i = 0; i < pieces; i++)
        {
            var (from, to) = Slice(n, pieces, i);
            futures[i] = Aio.ToThread(() => Work(from, to));
        }

        long sum = 0;
        foreach (Future<long> f in futures)
        {
            sum += await f;
        }

        return sum;
    }

    private static long Threads(long n, int pieces)
    {
        var sums = new long[pieces];
        var threads = new Thread[pieces];
        for (int i = 0; i < pieces; i++)
        {
            int k = i;
            var (from, to) = Slice(n, pieces, i);
            threads[i] = new Thread(() => sums[k] = Work(from, to)) { IsBackground = true };
            threads[i].Start();
        }

        foreach (Thread t in threads)
        {
            t.Join();
        }

        return sums.Sum();
    }
}
