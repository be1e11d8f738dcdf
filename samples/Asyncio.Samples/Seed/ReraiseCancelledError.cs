namespace Asyncio.Samples.Seed;

/// <summary>
/// "Cancellation is special: CancelledError should generally be allowed to propagate. If you catch Exception,
/// re-raise CancelledError." In C# <c>catch (Exception)</c> catches <see cref="CancelledError"/> too (there is no
/// BaseException), so put <c>catch (CancelledError) { throw; }</c> first.
/// </summary>
public sealed class ReraiseCancelledError : ISample
{
    /// <inheritdoc/>
    public string Name => "reraise-cancelled-error";

    /// <inheritdoc/>
    public string Question => "How do you catch exceptions without swallowing cancellation? (re-raise CancelledError)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine MyCoro()
        {
            await Aio.Sleep(10);
        }

        async Coroutine Worker()
        {
            try
            {
                await MyCoro();
            }
            catch (CancelledError)
            {
                output.WriteLine("Worker: cancelled, re-raising");
                throw;
            }
            catch (Exception e)
            {
                output.WriteLine($"Worker: handled {e.Message}");
            }
        }

        async Coroutine Main()
        {
            AioTask task = Aio.CreateTask(Worker());
            await Aio.Sleep(1);
            task.Cancel();
            try
            {
                await task;
            }
            catch (CancelledError)
            {
                output.WriteLine($"Main: the task is cancelled: {task.IsCancelled}");
            }
        }

        Aio.Run(Main, options);
    }
}
