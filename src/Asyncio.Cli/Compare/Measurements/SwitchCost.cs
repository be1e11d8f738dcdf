using System.Diagnostics;
using Asyncio.Benchmarks.Workloads;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>One ping-pong: an int handed back and forth; a round trip is two switches.</summary>
/// <param name="Runtime">"threads" (two OS threads) or "tasks" (two Asyncio.NET tasks on one loop).</param>
/// <param name="Variant">The hand-off used.</param>
/// <param name="NsPerSwitch">Wall-clock time per hand-off.</param>
/// <param name="CpuNsPerSwitch">CPU time of the whole process (user + system) per hand-off: what a hand-off costs even
/// when a busy machine stretches the wall-clock time.</param>
/// <param name="OsContextSwitchesPerSwitch">Kernel context switches of the process (all threads) per hand-off; -1 unknown.</param>
internal sealed record SwitchResult(
    string Runtime,
    string Variant,
    long RoundTrips,
    double Seconds,
    double NsPerSwitch,
    double CpuNsPerSwitch,
    double OsContextSwitchesPerSwitch,
    double BytesPerSwitch);

/// <summary>
/// Switch cost: OS-thread ping-pong through <see cref="SemaphoreSlim"/>s and through <see cref="AutoResetEvent"/>s,
/// against coroutine ping-pong through <see cref="AsyncQueue{T}"/>s of size 1 and a one-slot channel on
/// <see cref="WaitQueue"/> (the benchmarks' <c>OneSlotChannel</c>). Each runs for a fixed time after a short warm-up.
/// </summary>
internal static class SwitchCost
{
    public static IReadOnlyList<SwitchResult> Measure(double seconds, CancellationToken cancel)
    {
        var results = new List<SwitchResult>();
        foreach (var (runtime, variant, run) in Variants())
        {
            cancel.ThrowIfCancellationRequested();
            run(Math.Min(0.05, seconds / 4));   // warm-up
            results.Add(run(seconds) with { Runtime = runtime, Variant = variant });
        }

        return results;
    }

    private static IEnumerable<(string, string, Func<double, SwitchResult>)> Variants()
    {
        yield return ("threads", "SemaphoreSlim", ThreadsSemaphoreSlim);
        yield return ("threads", "AutoResetEvent", ThreadsAutoResetEvent);
        yield return ("tasks", "AsyncQueue<int>(1)", TasksAsyncQueue);
        yield return ("tasks", "WaitQueue one-slot channel", TasksWaitQueue);
    }

    private static SwitchResult ThreadsSemaphoreSlim(double seconds)
    {
        using var there = new SemaphoreSlim(0);
        using var back = new SemaphoreSlim(0);
        return PingPongThreads(seconds, () => there.Release(), () => there.Wait(), () => back.Release(), () => back.Wait());
    }

    private static SwitchResult ThreadsAutoResetEvent(double seconds)
    {
        using var there = new AutoResetEvent(false);
        using var back = new AutoResetEvent(false);
        return PingPongThreads(seconds, () => there.Set(), () => there.WaitOne(), () => back.Set(), () => back.WaitOne());
    }

    private static SwitchResult PingPongThreads(double seconds, Action sendThere, Action waitThere, Action sendBack, Action waitBack)
    {
        bool stop = false;
        var pong = new Thread(() =>
        {
            while (true)
            {
                waitThere();
                if (Volatile.Read(ref stop))
                {
                    return;
                }

                sendBack();
            }
        })
        {
            IsBackground = true,
            Name = "pong",
        };

        long rounds = 0;
        double elapsed = 0;
        long switches0 = 0, switches1 = 0, bytes0 = 0, bytes1 = 0;
        double cpu0 = 0, cpu1 = 0;
        var ping = new Thread(() =>
        {
            switches0 = ProcInfo.ContextSwitches();
            bytes0 = GC.GetTotalAllocatedBytes(true);
            cpu0 = ProcInfo.CpuSeconds();
            var clock = Stopwatch.StartNew();
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                for (int i = 0; i < 256; i++)
                {
                    sendThere();
                    waitBack();
                }

                rounds += 256;
            }

            elapsed = clock.Elapsed.TotalSeconds;
            cpu1 = ProcInfo.CpuSeconds();
            bytes1 = GC.GetTotalAllocatedBytes(true);
            switches1 = ProcInfo.ContextSwitches();
            Volatile.Write(ref stop, true);
            sendThere();
        })
        {
            IsBackground = true,
            Name = "ping",
        };

        pong.Start();
        ping.Start();
        ping.Join();
        pong.Join();
        return Result("threads", "", rounds, elapsed, cpu1 - cpu0, switches0, switches1, bytes1 - bytes0);
    }

    private static SwitchResult TasksAsyncQueue(double seconds) => Aio.Run(async () =>
    {
        var there = new AsyncQueue<int>(1);
        var back = new AsyncQueue<int>(1);
        AioTask pong = Aio.CreateTask(Pong(there, back));
        long switches0 = ProcInfo.ContextSwitches();
        long bytes0 = GC.GetAllocatedBytesForCurrentThread();
        double cpu0 = ProcInfo.CpuSeconds();
        var clock = Stopwatch.StartNew();
        long rounds = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 256; i++)
            {
                await there.PutAsync(i);
                int answer = await back.GetAsync();
                if (answer != i + 1)
                {
                    throw new InvalidOperationException($"ping-pong: sent {i}, got {answer} back.");
                }
            }

            rounds += 256;
        }

        double elapsed = clock.Elapsed.TotalSeconds;
        double cpu1 = ProcInfo.CpuSeconds();
        long bytes1 = GC.GetAllocatedBytesForCurrentThread();
        long switches1 = ProcInfo.ContextSwitches();
        await there.PutAsync(-1);
        await pong;
        return Result("tasks", "", rounds, elapsed, cpu1 - cpu0, switches0, switches1, bytes1 - bytes0);

        static async Coroutine Pong(AsyncQueue<int> there, AsyncQueue<int> back)
        {
            while (true)
            {
                int v = await there.GetAsync();
                if (v < 0)
                {
                    return;
                }

                await back.PutAsync(v + 1);
            }
        }
    }, MeasureLoop.Options);

    private static SwitchResult TasksWaitQueue(double seconds) => Aio.Run(async () =>
    {
        var there = new OneSlotChannel();
        var back = new OneSlotChannel();
        AioTask pong = Aio.CreateTask(Pong(there, back));
        long switches0 = ProcInfo.ContextSwitches();
        long bytes0 = GC.GetAllocatedBytesForCurrentThread();
        double cpu0 = ProcInfo.CpuSeconds();
        var clock = Stopwatch.StartNew();
        long rounds = 0;
        while (clock.Elapsed.TotalSeconds < seconds)
        {
            for (int i = 0; i < 256; i++)
            {
                there.Put(i);
                int answer = await back.Take();
                if (answer != i + 1)
                {
                    throw new InvalidOperationException($"ping-pong: sent {i}, got {answer} back.");
                }
            }

            rounds += 256;
        }

        double elapsed = clock.Elapsed.TotalSeconds;
        double cpu1 = ProcInfo.CpuSeconds();
        long bytes1 = GC.GetAllocatedBytesForCurrentThread();
        long switches1 = ProcInfo.ContextSwitches();
        there.Put(-1);
        await pong;
        return Result("tasks", "", rounds, elapsed, cpu1 - cpu0, switches0, switches1, bytes1 - bytes0);

        static async Coroutine Pong(OneSlotChannel there, OneSlotChannel back)
        {
            while (true)
            {
                int v = await there.Take();
                if (v < 0)
                {
                    return;
                }

                back.Put(v + 1);
            }
        }
    }, MeasureLoop.Options);

    private static SwitchResult Result(string runtime, string variant, long rounds, double seconds, double cpuSeconds, long switches0, long switches1, long bytes)
    {
        long hops = 2 * rounds;
        double osSwitches = switches0 < 0 || switches1 < 0 ? -1 : (double)(switches1 - switches0) / hops;
        return new SwitchResult(runtime, variant, rounds, seconds, seconds * 1e9 / hops, cpuSeconds * 1e9 / hops, osSwitches, (double)bytes / hops);
    }
}
