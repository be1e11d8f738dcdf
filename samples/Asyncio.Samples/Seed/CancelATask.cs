namespace Asyncio.Samples.Seed;

/// <summary>
/// "How do you cancel a running task in asyncio?" (notes, question 9): the coroutine catches the cancellation, prints,
/// and returns normally — so the task is not cancelled and "Caught task cancellation" is never printed.
/// </summary>
public sealed class CancelATask : ISample
{
    /// <inheritdoc/>
    public string Name => "cancel-a-task";

    /// <inheritdoc/>
    public string Question => "How do you cancel a running task? (task.cancel(); the coroutine handles it)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine MyCoroutine()
        {
            try
            {
                await Aio.Sleep(5);
            }
            catch (CancelledError)
            {
                output.WriteLine("Task was cancelled");
            }
        }

        async Coroutine Main()
        {
            AioTask task = Aio.CreateTask(MyCoroutine());
            await Aio.Sleep(1);
            task.Cancel();
            try
            {
                await task;
            }
            catch (CancelledError)
            {
                output.WriteLine("Caught task cancellation");
            }

            output.WriteLine($"task.IsCancelled: {task.IsCancelled}");
        }

        Aio.Run(Main, options);
    }
}
