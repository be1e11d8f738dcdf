namespace Asyncio.Benchmarks.Harness;

/// <summary>
/// Turns a <c>perf record --control=fifo:PATH -D -1</c> session on and off around measured windows, when
/// <c>ASYNCIO_PERF_CTL</c> names that fifo: perf then samples only what the figures cover (no start-up, JIT or
/// warm-up). Does nothing otherwise.
/// </summary>
internal static class PerfControl
{
    private static readonly StreamWriter? s_fifo = Open();

    private static StreamWriter? Open()
    {
        string? path = Environment.GetEnvironmentVariable("ASYNCIO_PERF_CTL");
        return string.IsNullOrEmpty(path) ? null : new StreamWriter(new FileStream(path, FileMode.Open, FileAccess.Write)) { AutoFlush = true };
    }

    /// <summary>Starts sampling (perf applies it within a few milliseconds).</summary>
    public static void Enable() => s_fifo?.Write("enable\n");

    /// <summary>Stops sampling.</summary>
    public static void Disable() => s_fifo?.Write("disable\n");
}
