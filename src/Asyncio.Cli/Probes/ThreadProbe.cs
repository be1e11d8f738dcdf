using System.Diagnostics;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Probes;

/// <summary>
/// Child process: starts OS threads that each block on one gate, until the cap, a kernel limit (with a margin), the
/// time limit or a failure, printing memory at checkpoints; then opens the gate and joins them. Runs in its own
/// process because running out of threads can abort a .NET process instead of throwing.
/// </summary>
internal static class ThreadProbe
{
    public static int Run(int cap, double timeLimitSeconds, TextWriter output)
    {
        ParentWatch.Start();
        var limits = new Dictionary<string, long>();
        int safeCap = cap;
        string capReason = "requested cap";

        // .NET uses ~4 memory mappings per thread (stack, guard page, ...): vm.max_map_count (65,530 by default) is
        // what stopped .NET at ~16,000 threads on this kind of machine. Stop at 80% of each limit instead of finding it.
        int maps = ProcInfo.MapCount();
        if (ProcInfo.SysValue("/proc/sys/vm/max_map_count") is long maxMaps && maps >= 0)
        {
            limits["maxMapCount"] = maxMaps;
            Lower((int)Math.Min(int.MaxValue, (maxMaps - maps) * 8 / 10 / 4), "80% of vm.max_map_count / 4 mappings per thread");
        }

        if (ProcInfo.SysValue("/proc/sys/kernel/pid_max") is long pidMax)
        {
            limits["pidMax"] = pidMax;
            Lower((int)Math.Min(int.MaxValue, pidMax / 2), "half of kernel.pid_max (each thread takes a pid)");
        }

        if (ProcInfo.SysValue("/proc/sys/kernel/threads-max") is long threadsMax)
        {
            limits["threadsMax"] = threadsMax;
            Lower((int)Math.Min(int.MaxValue, threadsMax / 2), "half of kernel.threads-max");
        }

        if (ProcInfo.Limit("Max processes") is long nproc)
        {
            limits["maxUserProcesses"] = nproc;
            Lower((int)Math.Min(int.MaxValue, nproc / 2), "half of ulimit -u (threads count as processes)");
        }

        if (ProcInfo.Limit("Max stack size") is long stack)
        {
            limits["stackSizeLimitBytes"] = stack;
        }

        MemorySnapshot m0 = ProcInfo.Memory();
        Emit(output, new ProbeLine { Type = "start", Cap = safeCap, CapReason = capReason, Limits = limits, RssBytes = m0.RssBytes, VmSizeBytes = m0.VmSizeBytes, OsThreads = m0.Threads });

        using var gate = new ManualResetEventSlim(false, spinCount: 1);
        int running = 0;
        var threads = new List<Thread>(safeCap);
        string stopReason = "cap";
        string? failure = null;
        var clock = Stopwatch.StartNew();
        foreach (int target in Checkpoints(safeCap))
        {
            while (threads.Count < target)
            {
                if (clock.Elapsed.TotalSeconds > timeLimitSeconds)
                {
                    stopReason = "time limit";
                    break;
                }

                try
                {
                    var t = new Thread(() =>
                    {
                        Interlocked.Increment(ref running);
                        gate.Wait();
                    })
                    {
                        IsBackground = true,
                    };
                    t.Start();
                    threads.Add(t);
                }
                catch (Exception e) when (e is OutOfMemoryException or ThreadStartException or InvalidOperationException or SystemException)
                {
                    stopReason = "failure";
                    failure = $"{e.GetType().Name}: {e.Message}";
                    break;
                }
            }

            // Every started thread is blocked on the gate before memory is read.
            var settle = Stopwatch.StartNew();
            while (Volatile.Read(ref running) < threads.Count && settle.Elapsed.TotalSeconds < 10)
            {
                Thread.Sleep(1);
            }

            MemorySnapshot m = ProcInfo.Memory();
            Emit(output, new ProbeLine
            {
                Type = "checkpoint",
                Units = threads.Count,
                RssBytes = m.RssBytes,
                VmSizeBytes = m.VmSizeBytes,
                OsThreads = m.Threads,
                Seconds = clock.Elapsed.TotalSeconds,
            });

            if (stopReason != "cap")
            {
                break;
            }
        }

        var release = Stopwatch.StartNew();
        gate.Set();
        foreach (Thread t in threads)
        {
            t.Join(TimeSpan.FromSeconds(5));
        }

        Emit(output, new ProbeLine { Type = "done", Units = threads.Count, StopReason = stopReason, Failure = failure, Cap = safeCap, ReleaseSeconds = release.Elapsed.TotalSeconds });
        return 0;

        void Lower(int byLimit, string reason)
        {
            if (byLimit < safeCap)
            {
                safeCap = Math.Max(byLimit, 1);
                capReason = reason;
            }
        }
    }

    /// <summary>10, 100, 250, 500, 1,000, 2,000, 5,000, 10,000, ... up to <paramref name="cap"/>, which is always last.</summary>
    internal static IEnumerable<int> Checkpoints(int cap)
    {
        int[] steps = [10, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 200_000, 500_000, 1_000_000, 2_000_000, 5_000_000];
        foreach (int s in steps)
        {
            if (s < cap)
            {
                yield return s;
            }
        }

        yield return cap;
    }

    internal static void Emit(TextWriter output, ProbeLine line)
    {
        output.WriteLine(Json.Line(line));
        output.Flush();
    }
}
