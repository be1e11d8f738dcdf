using System.Diagnostics;
using System.Globalization;

namespace Asyncio.Benchmarks.Harness;

/// <summary>Clocks, allocation counters, GC settling and RSS: everything a measurement reads.</summary>
internal static class Measure
{
    public static long Now => Stopwatch.GetTimestamp();

    [System.Runtime.InteropServices.DllImport("libc", EntryPoint = "getrusage")]
    private static extern int GetRusage(int who, out RUsage usage);

    [System.Runtime.InteropServices.StructLayout(System.Runtime.InteropServices.LayoutKind.Sequential)]
    private struct RUsage
    {
        public long UserSeconds, UserMicroseconds, SystemSeconds, SystemMicroseconds;
        public long Rest0, Rest1, Rest2, Rest3, Rest4, Rest5, Rest6, Rest7, Rest8, Rest9, Rest10, Rest11, Rest12, Rest13;
    }

    /// <summary>CPU seconds (user + system) this thread has used; NaN where getrusage(RUSAGE_THREAD) is not available.</summary>
    public static double ThreadCpuSeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        const int RusageThread = 1;
        return GetRusage(RusageThread, out RUsage u) == 0
            ? u.UserSeconds + u.SystemSeconds + ((u.UserMicroseconds + u.SystemMicroseconds) / 1e6)
            : double.NaN;
    }

    /// <summary>User-mode CPU seconds this thread has used (getrusage RUSAGE_THREAD); NaN where not available.</summary>
    public static double ThreadUserSeconds()
    {
        if (!OperatingSystem.IsLinux())
        {
            return double.NaN;
        }

        const int RusageThread = 1;
        return GetRusage(RusageThread, out RUsage u) == 0 ? u.UserSeconds + (u.UserMicroseconds / 1e6) : double.NaN;
    }

    public static double Seconds(long start, long end) => (end - start) / (double)Stopwatch.Frequency;

    /// <summary>Bytes allocated by this thread so far (for single-threaded runtimes).</summary>
    public static long ThreadAllocated() => GC.GetAllocatedBytesForCurrentThread();

    /// <summary>Bytes allocated by every thread so far (for the thread pool).</summary>
    public static long AllAllocated() => GC.GetTotalAllocatedBytes(precise: true);

    /// <summary>Collections so far of generations 0, 1 and 2 (process-wide), to say how many ran inside a window.</summary>
    public static (int Gen0, int Gen1, int Gen2) Collections() => (GC.CollectionCount(0), GC.CollectionCount(1), GC.CollectionCount(2));

    /// <summary>"GCs 4/3/2": the collections of each generation between two <see cref="Collections"/> readings.</summary>
    public static string CollectionsSince((int Gen0, int Gen1, int Gen2) before)
    {
        var now = Collections();
        return $"GCs gen0/1/2 {now.Gen0 - before.Gen0}/{now.Gen1 - before.Gen1}/{now.Gen2 - before.Gen2}";
    }

    /// <summary>A full, blocking, compacting collection with finalizers run: the state every measurement starts from.</summary>
    public static void Settle()
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
    }

    /// <summary><see cref="Settle"/>, then an aggressive collection that also gives memory back to the OS (for RSS baselines).</summary>
    public static void SettleAggressive()
    {
        Settle();
        GC.Collect(GC.MaxGeneration, GCCollectionMode.Aggressive, blocking: true, compacting: true);
    }

    /// <summary>The GC heap size after a full collection.</summary>
    public static long HeapAfterFullGc() => GC.GetTotalMemory(forceFullCollection: true);

    /// <summary>Resident set size from /proc/self/status (VmRSS), in bytes; -1 where there is no /proc.</summary>
    public static long RssBytes()
    {
        const string path = "/proc/self/status";
        if (!File.Exists(path))
        {
            return -1;
        }

        foreach (string line in File.ReadLines(path))
        {
            if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                string kb = line["VmRSS:".Length..].Trim();
                int space = kb.IndexOf(' ', StringComparison.Ordinal);
                if (space > 0)
                {
                    kb = kb[..space];
                }

                return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
            }
        }

        return -1;
    }
}
