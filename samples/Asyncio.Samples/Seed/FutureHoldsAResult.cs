namespace Asyncio.Samples.Seed;

/// <summary>"What are asyncio.Task and asyncio.Future?" — a future set by hand, then awaited.</summary>
public sealed class FutureHoldsAResult : ISample
{
    /// <inheritdoc/>
    public string Name => "future-holds-a-result";

    /// <inheritdoc/>
    public string Question => "What is an asyncio.Future? (a placeholder you set by hand)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Main()
        {
            var future = new Future<int>();
            future.SetResult(42);           // manually set the result
            output.WriteLine(await future); // 42
        }

        Aio.Run(Main, options);
    }
}
