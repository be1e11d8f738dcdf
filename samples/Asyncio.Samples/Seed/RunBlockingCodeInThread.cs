namespace Asyncio.Samples.Seed;

/// <summary>
/// "How do you run blocking code in an asyncio application?" — <c>asyncio.to_thread(blocking_function)</c>: the
/// blocking call runs on the thread pool and its result comes back to the awaiting task.
/// </summary>
public sealed class RunBlockingCodeInThread : ISample
{
    /// <inheritdoc/>
    public string Name => "run-blocking-code-in-thread";

    /// <inheritdoc/>
    public string Question => "How do you run blocking code in an asyncio application? (to_thread)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        // Under a virtual clock the loop's time does not pass while the thread works, so don't really block there.
        TimeSpan blockFor = options.Clock is VirtualClock ? TimeSpan.Zero : TimeSpan.FromSeconds(2);

        string BlockingFunction()
        {
            Thread.Sleep(blockFor);   // time.sleep(2): blocks this pool thread, not the loop
            return "Blocking function result";
        }

        async Coroutine Main()
        {
            string result = await Aio.ToThread(BlockingFunction);
            output.WriteLine(result);
        }

        Aio.Run(Main, options);
    }
}
