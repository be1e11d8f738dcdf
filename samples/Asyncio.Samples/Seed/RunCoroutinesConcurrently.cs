namespace Asyncio.Samples.Seed;

/// <summary>"How do you run multiple coroutines concurrently in asyncio?" — <c>await asyncio.gather(coro1(), coro2())</c>.</summary>
public sealed class RunCoroutinesConcurrently : ISample
{
    /// <inheritdoc/>
    public string Name => "run-coroutines-concurrently";

    /// <inheritdoc/>
    public string Question => "How do you run multiple coroutines concurrently? (gather)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Coro1()
        {
            await Aio.Sleep(1);
            output.WriteLine("Coro 1 done");
        }

        async Coroutine Coro2()
        {
            await Aio.Sleep(2);
            output.WriteLine("Coro 2 done");
        }

        async Coroutine Main()
        {
            await Aio.Gather(Coro1(), Coro2());
        }

        Aio.Run(Main, options);
    }
}
