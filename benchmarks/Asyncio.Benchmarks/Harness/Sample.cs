namespace Asyncio.Benchmarks.Harness;

/// <summary>The figures of one measurement (one repetition of one case), plus what a person should know about it.</summary>
internal sealed class Sample
{
    private readonly Dictionary<string, double> _values = new(StringComparer.Ordinal);

    /// <summary>Operations (or tasks) the measurement ran.</summary>
    public long Count { get; init; }

    /// <summary>Free text shown in the progress line (e.g. when a measurement could not be taken as intended).</summary>
    public string? Note { get; set; }

    public Sample Set(Metric metric, double value)
    {
        _values[metric.Name] = value;
        return this;
    }

    public double Get(Metric metric) => _values.TryGetValue(metric.Name, out double v) ? v : double.NaN;

    /// <summary>Throughput sample: ops/s, ns/op and bytes/op from a count, an elapsed time and the bytes allocated.</summary>
    public static Sample Throughput(long ops, double seconds, long bytes, double cpuSeconds = double.NaN) => new Sample { Count = ops }
        .Set(Metric.OpsPerSec, ops / seconds)
        .Set(Metric.NsPerOp, seconds * 1e9 / ops)
        .Set(Metric.BytesPerOp, (double)bytes / ops)
        .Set(Metric.CpuNsPerOp, cpuSeconds * 1e9 / ops);
}
