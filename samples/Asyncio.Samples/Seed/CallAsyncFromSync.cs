namespace Asyncio.Samples.Seed;

/// <summary>
/// "Can you call an async function from a normal (non-async) function?" — not directly: run it on a loop.
/// </summary>
public sealed class CallAsyncFromSync : ISample
{
    /// <inheritdoc/>
    public string Name => "call-async-from-sync";

    /// <inheritdoc/>
    public string Question => "Can you call an async function from a normal function? (run_until_complete)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine<int> MyCoro()
        {
            output.WriteLine("Coroutine started");
            await Aio.Sleep(1);
            output.WriteLine("Coroutine finished");
            return 42;
        }

        // def main(): a plain, synchronous function
        using var loop = new EventLoop(options);
        int result = loop.RunUntilComplete(MyCoro());
        output.WriteLine($"Result: {result}");
    }
}
