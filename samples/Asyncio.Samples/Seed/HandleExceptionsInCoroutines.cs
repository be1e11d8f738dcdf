namespace Asyncio.Samples.Seed;

/// <summary>"How do you handle exceptions in asyncio coroutines?" — try/catch inside the coroutine.</summary>
public sealed class HandleExceptionsInCoroutines : ISample
{
    /// <inheritdoc/>
    public string Name => "handle-exceptions-in-coroutines";

    /// <inheritdoc/>
    public string Question => "How do you handle exceptions in coroutines? (try/except inside, or around the await)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine MyCoroutine()
        {
            try
            {
                await Aio.Sleep(1);
                throw new InvalidOperationException("An error occurred");
            }
            catch (InvalidOperationException e)
            {
                output.WriteLine($"Caught exception: {e.Message}");
            }
        }

        async Coroutine Failing()
        {
            await Aio.Sleep(1);
            throw new ArgumentException("bad value");
        }

        async Coroutine Main()
        {
            await MyCoroutine();

            // Exceptions propagate to the awaiter: `await coro()` raises whatever the coroutine raised.
            try
            {
                await Failing();
            }
            catch (ArgumentException e)
            {
                output.WriteLine($"Caught from await: {e.Message}");
            }
        }

        Aio.Run(Main, options);
    }
}
