namespace Asyncio.Samples.Seed;

/// <summary>"How do you create a coroutine in asyncio?" — an <c>async def</c> that sleeps, then prints.</summary>
public sealed class CreateCoroutine : ISample
{
    /// <inheritdoc/>
    public string Name => "create-coroutine";

    /// <inheritdoc/>
    public string Question => "How do you create a coroutine? (async def / async Coroutine)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine MyCoroutine()
        {
            await Aio.Sleep(1);
            output.WriteLine("Coroutine finished");
        }

        Aio.Run(MyCoroutine, options);
    }
}
