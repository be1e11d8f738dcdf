namespace Asyncio.Benchmarks.Harness;

/// <summary>Where a workload runs. Each workload is measured on all three in the same process, interleaved.</summary>
internal enum Runtime
{
    /// <summary>Asyncio.NET's single-threaded event loop.</summary>
    Asyncio,

    /// <summary>.NET's thread pool (<c>Task</c>, <c>SemaphoreSlim</c>, Channels): uses every core.</summary>
    ThreadPool,

    /// <summary>Nito.AsyncEx.Context's <c>AsyncContext</c>: a single-threaded synchronization context.</summary>
    AsyncContext,
}

internal static class RuntimeNames
{
    /// <summary>The name used in RESULT lines.</summary>
    public static string Id(this Runtime r) => r switch
    {
        Runtime.Asyncio => "asyncio",
        Runtime.ThreadPool => "threadpool",
        Runtime.AsyncContext => "asynccontext",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };

    /// <summary>The name used in the table: says how many threads the runtime uses.</summary>
    public static string Label(this Runtime r) => r switch
    {
        Runtime.Asyncio => "asyncio (1 thread)",
        Runtime.ThreadPool => $"threadpool (all {Environment.ProcessorCount} cores)",
        Runtime.AsyncContext => "asynccontext (1 thread)",
        _ => throw new ArgumentOutOfRangeException(nameof(r)),
    };

    public static readonly Runtime[] Peers = [Runtime.ThreadPool, Runtime.AsyncContext];
}
