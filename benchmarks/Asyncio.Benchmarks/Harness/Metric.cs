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

    public override string ToString() => Name;
}
