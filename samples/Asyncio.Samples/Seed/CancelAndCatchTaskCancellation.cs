namespace Asyncio.Samples.Seed;

/// <summary>
/// "How can you cancel a task in asyncio?" (notes, Q18): <c>task.cancel()</c>, then awaiting the task raises
/// <c>CancelledError</c> in the awaiter.
/// </summary>
public sealed class CancelAndCatchTaskCancellation : ISample
{
    /// <inheritdoc/>
    public string Name => "cancel-and-await-task";

    /// <inheritdoc/>
    public string Question => "How can you cancel a task? (cancel, then await raises CancelledError)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Coro()
        {
            await Aio.Sleep(5);
            output.WriteLine("never printed");
        }

        async Coroutine Main()
        {
            AioTask task = Aio.CreateTask(Coro());
            await Aio.Sleep(1);
            task.Cancel();
            try
            {
                await task;
            }
            catch (CancelledError)
            {
                output.WriteLine("Task was cancelled");
            }
        }

        Aio.Run(Main, options);
    }
}
