namespace Asyncio.Samples.Seed;

/// <summary>
/// "What happens if you forget to await a coroutine?" — the coroutine object is created but never runs.
/// </summary>
public sealed class ForgettingToAwait : ISample
{
    /// <inheritdoc/>
    public string Name => "forgetting-to-await";

    /// <inheritdoc/>
    public string Question => "What happens if you forget to await a coroutine? (it never runs)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Greet()
        {
            output.WriteLine("Hello from greet()");
            await Aio.Sleep(0);
        }

        async Coroutine Main()
        {
#pragma warning disable CA2012 // the point of the example: the coroutine is created and dropped
            Coroutine forgotten = Greet();   // no await: nothing runs
#pragma warning restore CA2012
            await Aio.Sleep(1);
            output.WriteLine($"Created {forgotten}, never awaited: it did not run.");
            await Greet();                   // awaited: it runs
        }

        Aio.Run(Main, options);
    }
}
