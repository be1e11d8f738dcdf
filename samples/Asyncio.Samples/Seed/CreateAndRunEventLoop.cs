namespace Asyncio.Samples.Seed;

/// <summary>
/// "How do you create and run an event loop?" — <c>asyncio.run(main())</c>.
/// </summary>
public sealed class CreateAndRunEventLoop : ISample
{
    /// <inheritdoc/>
    public string Name => "create-and-run-event-loop";

    /// <inheritdoc/>
    public string Question => "How do you create and run an event loop? (asyncio.run)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Main()
        {
            output.WriteLine("Hello, Asyncio!");
        }

        Aio.Run(Main, options);
    }
}
