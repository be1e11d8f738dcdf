namespace Asyncio.Samples.Seed;

/// <summary>
/// "How do you create and run an event loop?", second way: get a loop and <c>run_until_complete(main())</c>.
/// </summary>
public sealed class RunUntilComplete : ISample
{
    /// <inheritdoc/>
    public string Name => "run-until-complete";

    /// <inheritdoc/>
    public string Question => "How do you run a coroutine on a loop you created? (loop.run_until_complete)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Main()
        {
            output.WriteLine("Hello, Asyncio!");
        }

        using var loop = new EventLoop(options);
        loop.RunUntilComplete(Main());
    }
}
