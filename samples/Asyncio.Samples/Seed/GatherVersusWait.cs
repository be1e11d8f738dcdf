namespace Asyncio.Samples.Seed;

/// <summary>
/// "What is the difference between asyncio.gather() and asyncio.wait()?" — gather returns the results in argument
/// order; wait returns the done and pending tasks.
/// </summary>
public sealed class GatherVersusWait : ISample
{
    /// <inheritdoc/>
    public string Name => "gather-vs-wait";

    /// <inheritdoc/>
    public string Question => "What is the difference between gather() and wait()?";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine<string> Coro(int id, double delay)
        {
            await Aio.Sleep(delay);
            return $"Coro {id} done";
        }

        async Coroutine Main()
        {
            // Using gather: results in argument order, whichever finishes first.
            string[] results = await Aio.Gather(new[] { Coro(1, 2), Coro(2, 1) });
            output.WriteLine($"Gather results: [{string.Join(", ", results.Select(r => $"'{r}'"))}]");

            // Using wait: two sets, done and pending.
            AioTask<string>[] tasks = [Aio.CreateTask(Coro(3, 2)), Aio.CreateTask(Coro(4, 1))];
            var (done, pending) = await Aio.Wait(tasks);
            foreach (AioTask<string> task in tasks.Where(done.Contains))   // a set has no order; print in task order
            {
                output.WriteLine($"Wait result: {task.Result}");
            }

            output.WriteLine($"pending: {pending.Count}");
        }

        Aio.Run(Main, options);
    }
}
