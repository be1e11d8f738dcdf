namespace Asyncio.Benchmarks.Peers;

/// <summary>
/// The gather workloads' peer body, shared by the thread pool and <c>AsyncContext</c>: N <c>async Task&lt;int&gt;</c>
/// children, then <c>await Task.WhenAll</c>. Each child returns its index (never a constant: the runtime caches
/// completed <c>Task&lt;int&gt;</c>s of small values, which would hide the cost of a child that returns at once).
/// </summary>
internal static class WhenAllRun
{
    public static async Task<int[]> Run(int n, bool yieldOnce)
    {
        var children = new Task<int>[n];
        for (int i = 0; i < n; i++)
        {
            children[i] = yieldOnce ? ChildYieldOnce(i) : ChildImmediate(i);
        }

        return await Task.WhenAll(children);
    }

    private static async Task<int> ChildYieldOnce(int i)
    {
        await Task.Yield();
        return i;
    }

#pragma warning disable CS1998 // an async method without await: the child that returns at once
    private static async Task<int> ChildImmediate(int i) => i;
#pragma warning restore CS1998
}
