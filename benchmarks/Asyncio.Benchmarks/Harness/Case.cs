namespace Asyncio.Benchmarks.Harness;

/// <summary>
/// One thing measured in each repetition: a workload on one runtime (and, for a peer with several reasonable
/// implementations, one variant: the report keeps the better one and says which).
/// </summary>
/// <param name="Workload">The name in RESULT lines, e.g. <c>spawn_coroutine</c>.</param>
/// <param name="Runtime">Where it runs.</param>
/// <param name="Variant">Null, or the name of this implementation among several for the same runtime.</param>
/// <param name="Run">Runs the measurement; the argument is true for the short warm-up run.</param>
internal sealed record Case(string Workload, Runtime Runtime, string? Variant, Func<bool, Sample> Run)
{
    public string Describe() => Variant is null ? $"{Workload} {Runtime.Id()}" : $"{Workload} {Runtime.Id()} ({Variant})";
}
