namespace Asyncio.Benchmarks.Harness;

/// <summary>
/// A goal for our loop: "<paramref name="Metric"/> of <paramref name="Workload"/> at least/most <paramref name="Bound"/>".
/// With <paramref name="Versus"/> set, the bound applies to the ratio asyncio median / that peer's median (e.g. "≥ 2×
/// SemaphoreSlim on the thread pool"), not to our figure itself.
/// </summary>
internal sealed record Target(string Workload, Metric Metric, double Bound, string Text, Runtime? Versus = null)
{
    /// <summary>
    /// Whether <paramref name="value"/> (our median, or for a relative target the ratio of medians) meets the bound.
    /// A ratio keeps the metric's direction: above 1 is better for higher-is-better figures.
    /// </summary>
    public bool IsMet(double value) => Metric.HigherIsBetter ? value >= Bound : value <= Bound;

    /// <summary>"≥ 50 M/s" style: at least for higher-is-better figures, at most otherwise.</summary>
    public static Target For(string workload, Metric metric, double bound, string text) => new(workload, metric, bound, text);

    /// <summary>"≥ 2× threadpool" style: the bound is on asyncio median / <paramref name="peer"/> median.</summary>
    public static Target Ratio(string workload, Metric metric, Runtime peer, double bound, string text) => new(workload, metric, bound, text, peer);
}
