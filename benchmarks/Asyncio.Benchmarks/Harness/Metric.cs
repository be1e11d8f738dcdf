namespace Asyncio.Benchmarks.Harness;

/// <summary>A figure a workload reports: its RESULT name, which way is better, how to show it to a person.</summary>
internal sealed record Metric(string Name, bool HigherIsBetter, Func<double, string> Human)
{
    public static readonly Metric OpsPerSec = new("ops_per_s", true, Format.Rate);
    public static readonly Metric NsPerOp = new("ns_per_op", false, v => Format.Fixed(v, 1) + " ns");
    public static readonly Metric BytesPerOp = new("bytes_per_op", false, Format.Bytes);
    public static readonly Metric BytesPerTask = new("bytes_per_task", false, Format.Bytes);
    public static readonly Metric RssBytesPerTask = new("rss_bytes_per_task", false, Format.Bytes);
    public static readonly Metric Seconds = new("seconds", false, v => Format.Fixed(v, 3) + " s");

    /// <summary>
    /// CPU time of the measuring thread per operation (getrusage RUSAGE_THREAD), for our single-threaded loop only: on a
    /// shared machine, wall time stretches when other processes take the core, CPU time much less. Printed as an extra
    /// RESULT line, not a table column (the thread pool's work runs on other threads).
    /// </summary>
    public static readonly Metric CpuNsPerOp = new("cpu_ns_per_op", false, v => Format.Fixed(v, 1) + " ns");

    /// <summary>The user-mode part of <see cref="CpuNsPerOp"/> (what our code costs; the kernel's share is system time).</summary>
    public static readonly Metric UserNsPerOp = new("user_ns_per_op", false, v => Format.Fixed(v, 1) + " ns");

    public override string ToString() => Name;
}
