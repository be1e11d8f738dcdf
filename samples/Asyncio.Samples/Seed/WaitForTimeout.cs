namespace Asyncio.Samples.Seed;

/// <summary>"How do you set a timeout for a coroutine in asyncio?" — <c>asyncio.wait_for(my_coro(), timeout=2)</c>.</summary>
public sealed class WaitForTimeout : ISample
{
    /// <inheritdoc/>
    public string Name => "wait-for-timeout";

    /// <inheritdoc/>
    public string Question => "How do you set a timeout for a coroutine? (wait_for)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine<string> MyCoro()
        {
            await Aio.Sleep(5);
            return "Completed";
        }

        async Coroutine Main()
        {
            try
            {
                string result = await Aio.WaitFor(MyCoro(), timeout: 2);
                output.WriteLine(result);
            }
            catch (TimeoutException)
            {
                output.WriteLine("Coroutine timed out");
            }
        }

        Aio.Run(Main, options);
    }
}
