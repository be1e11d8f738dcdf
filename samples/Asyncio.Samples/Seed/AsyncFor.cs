namespace Asyncio.Samples.Seed;

/// <summary>
/// "How do you create an asynchronous iterator in asyncio?" — <c>__aiter__</c>/<c>__anext__</c> become an
/// <see cref="IAsyncEnumerable{T}"/>, consumed with <c>await foreach</c>; each item after 1 s.
/// </summary>
public sealed class AsyncFor : ISample
{
    /// <inheritdoc/>
    public string Name => "async-for";

    /// <inheritdoc/>
    public string Question => "How do you create an asynchronous iterator? (async for / await foreach)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Main()
        {
            await foreach (int item in AsyncIterator(5))
            {
                output.WriteLine(item);
            }
        }

        Aio.Run(Main, options);
    }

    /// <summary>The iterator: C#'s async iterator methods are the <c>__anext__</c> state machine.</summary>
    private static async IAsyncEnumerable<int> AsyncIterator(int limit)
    {
        for (int current = 0; current < limit; current++)
        {
            await Aio.Sleep(1);   // simulate an async operation
            yield return current;
        }
    }
}
