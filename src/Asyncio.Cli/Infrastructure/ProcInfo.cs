using System.Diagnostics;
using System.Globalization;

namespace Asyncio.Cli.Infrastructure;

/// <summary>One reading of a process's memory and thread count (Linux: <c>/proc/PID/status</c>).</summary>
/// <param name="RssBytes">VmRSS: resident memory.</param>
/// <param name="VmSizeBytes">VmSize: reserved address space.</param>
/// <param name="Threads">OS threads of the process.</param>
internal readonly record struct MemorySnapshot(long RssBytes, long VmSizeBytes, int Threads);

/// <summary>
/// Reads what the kernel says about a process: resident memory (VmRSS), address space (VmSize), threads, CPU time and
/// context switches from <c>/proc</c>. Off Linux, falls back to <see cref="Process"/> (no context switches).
/// </summary>
internal static class ProcInfo
{
    /// <summary>Linux's USER_HZ, the unit of the CPU times in <c>/proc/PID/stat</c> (100 on every architecture .NET runs on).</summary>
    private const double ClockTicksPerSecond = 100;

    public static bool HasProc { get; } = File.Exists("/proc/self/status");

    /// <summary>Memory and threads of this process (<paramref name="pid"/> null) or of another one.</summary>
    public static MemorySnapshot Memory(int? pid = null)
    {
        if (HasProc)
        {
            string path = pid is null ? "/proc/self/status" : $"/proc/{pid}/status";
            try
            {
                long rss = 0, size = 0;
                int threads = 0;
                foreach (string line in File.ReadLines(path))
                {
                    if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                    {
                        rss = Kilobytes(line) * 1024;
                    }
                    else if (line.StartsWith("VmSize:", StringComparison.Ordinal))
                    {
                        size = Kilobytes(line) * 1024;
                    }
                    else if (line.StartsWith("Threads:", StringComparison.Ordinal))
                    {
                        threads = (int)Kilobytes(line);
                    }
                }

                return new MemorySnapshot(rss, size, threads);
            }
            catch (IOException)
            {
                return default;   // the process is gone
            }
        }

        using Process p = pid is null ? Process.GetCurrentProcess() : Process.GetProcessById(pid.Value);
        p.Refresh();
        return new MemorySnapshot(p.WorkingSet64, p.VirtualMemorySize64, p.Threads.Count);
    }

    /// <summary>User + system CPU seconds used so far by a process (this one when <paramref name="pid"/> is null).</summary>
    public static double CpuSeconds(int? pid = null)
    {
        if (HasProc)
        {
            try
            {
                string stat = File.ReadAllText(pid is null ? "/proc/self/stat" : $"/proc/{pid}/stat");
                // The command name (field 2) may hold spaces: fields are counted after its closing parenthesis.
                string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                // f[0] is field 3 (state); utime is field 14, stime field 15.
                long utime = long.Parse(f[11], CultureInfo.InvariantCulture);
                long stime = long.Parse(f[12], CultureInfo.InvariantCulture);
                return (utime + stime) / ClockTicksPerSecond;
            }
            catch (IOException)
            {
                return double.NaN;
            }
        }

        using Process p = pid is null ? Process.GetCurrentProcess() : Process.GetProcessById(pid.Value);
        return p.TotalProcessorTime.TotalSeconds;
    }

    /// <summary>
    /// Context switches of every thread of this process so far (voluntary + involuntary, summed over
    /// <c>/proc/self/task/*/status</c>), or -1 where the kernel does not say. Threads that already ended are not counted.
    /// </summary>
    public static long ContextSwitches()
    {
        if (!HasProc)
        {
            return -1;
        }

        long total = 0;
        foreach (string dir in Directory.EnumerateDirectories("/proc/self/task"))
        {
            try
            {
                foreach (string line in File.ReadLines(Path.Combine(dir, "status")))
                {
                    if (line.StartsWith("voluntary_ctxt_switches:", StringComparison.Ordinal)
                        || line.StartsWith("nonvoluntary_ctxt_switches:", StringComparison.Ordinal))
                    {
                        total += Kilobytes(line);
                    }
                }
            }
            catch (IOException)
            {
                // the thread ended while we read
            }
        }

        return total;
    }

    /// <summary>Memory mappings of this process (<c>/proc/self/maps</c> lines); -1 off Linux.</summary>
    public static int MapCount()
    {
        if (!HasProc)
        {
            return -1;
        }

        int n = 0;
        foreach (string _ in File.ReadLines("/proc/self/maps"))
        {
            n++;
        }

        return n;
    }

    /// <summary>An integer kernel setting such as <c>/proc/sys/vm/max_map_count</c>, or null.</summary>
    public static long? SysValue(string path)
    {
        try
        {
            return long.TryParse(File.ReadAllText(path).Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    /// <summary>The soft limit of a resource from <c>/proc/self/limits</c> (e.g. "Max stack size"), in its unit; null if unlimited or unknown.</summary>
    public static long? Limit(string name)
    {
        if (!HasProc)
        {
            return null;
        }

        foreach (string line in File.ReadLines("/proc/self/limits"))
        {
            if (line.StartsWith(name, StringComparison.Ordinal))
            {
                string[] parts = line[name.Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return parts.Length > 0 && long.TryParse(parts[0], NumberStyles.Integer, CultureInfo.InvariantCulture, out long v) ? v : null;
            }
        }

        return null;
    }

    /// <summary>The number in a "Name:   123 kB" line.</summary>
    private static long Kilobytes(string line)
    {
        int i = line.IndexOf(':', StringComparison.Ordinal) + 1;
        ReadOnlySpan<char> rest = line.AsSpan(i).Trim();
        int space = rest.IndexOf(' ');
        if (space >= 0)
        {
            rest = rest[..space];
        }

        return long.Parse(rest, NumberStyles.Integer, CultureInfo.InvariantCulture);
    }
}
