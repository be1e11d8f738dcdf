namespace Asyncio.Samples.Seed;

/// <summary>
/// "How do you limit the number of concurrent tasks in asyncio?" — a semaphore of 3 over 10 tasks of 2 s each:
/// never more than 3 inside, done at t = 8 s.
/// </summary>
public sealed class LimitConcurrencyWithSemaphore : ISample
{
    /// <inheritdoc/>
    public string Name => "limit-concurrency-with-semaphore";

    /// <inheritdoc/>
    public string Question => "How do you limit the number of concurrent tasks? (Semaphore)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        var semaphore = new AsyncSemaphore(3);   // limit to 3 concurrent tasks

        async Coroutine LimitedCoro(int id)
        {
            await using (await semaphore.AcquireAsync())
            {
                output.WriteLine($"Task {id} started");
                await Aio.Sleep(2);
                output.WriteLine($"Task {id} finished");
            }
        }

        async Coroutine Main()
        {
            IEnumerable<Coroutine> tasks = Enumerable.Range(0, 10).Select(LimitedCoro);
            await Aio.Gather(tasks);
        }

        Aio.Run(Main, options);
    }
}
