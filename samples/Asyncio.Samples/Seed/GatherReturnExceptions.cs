namespace Asyncio.Samples.Seed;

/// <summary>
/// "How do you handle exceptions inside coroutines?" — <c>gather(..., return_exceptions=True)</c> collects results
/// and errors; each outcome is then handled or used.
/// </summary>
public sealed class GatherReturnExceptions : ISample
{
    /// <inheritdoc/>
    public string Name => "gather-return-exceptions";

    /// <inheritdoc/>
    public string Question => "How do you collect results and errors of many coroutines? (gather return_exceptions)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine<int> Coro(int id)
        {
            await Aio.Sleep(id);
            if (id == 2)
            {
                throw new InvalidOperationException($"coro {id} failed");
            }

            return id * 10;
        }

        async Coroutine Main()
        {
            Outcome<int>[] results = await Aio.Gather(new[] { Coro(1), Coro(2), Coro(3) }, returnExceptions: true);
            foreach (Outcome<int> r in results)
            {
                if (r.Exception is { } e)
                {
                    output.WriteLine($"handle: {e.Message}");   // handle(r)
                }
                else
                {
                    output.WriteLine($"use: {r.Value}");        // use(r)
                }
            }
        }

        Aio.Run(Main, options);
    }
}
