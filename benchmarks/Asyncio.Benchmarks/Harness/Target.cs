namespace Asyncio.Benchmarks.Harness;

/// <summary>A goal for our loop: "<paramref name="Metric"/> of <paramref name="Workload"/> at least/most <paramref name="Bound"/>".</summary>
internal sealed record Target(string Workload, Metric Metric, double Bound, string Text)
{
    public bool IsMet(double value) => Metric.HigherIsBetter ? value >= Bound : value <= Bound;

    /// <summary>"≥ 50 M/s" style: at least for higher-is-better figures, at most otherwise.</summary>
    public static Target For(string workload, Metric metric, double bound, string text) => new(workload, metric, bound, text);
}
