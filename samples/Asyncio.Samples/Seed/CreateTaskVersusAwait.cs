namespace Asyncio.Samples.Seed;

/// <summary>
/// "What is the difference between asyncio.create_task() and await?" — <c>await</c> runs coroutines one after the
/// other (1 s + 2 s = 3 s); <c>create_task</c> schedules them concurrently (max(1 s, 2 s) = 2 s).
/// </summary>
public sealed class CreateTaskVersusAwait : ISample
{
    /// <inheritdoc/>
    public string Name => "create-task-vs-await";

    /// <inheritdoc/>
    public string Question => "What is the difference between create_task() and await?";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Coro(string name, double delay)
        {
            await Aio.Sleep(delay);
            output.WriteLine($"{name} done");
        }

        async Coroutine Main()
        {
            EventLoop loop = Aio.GetRunningLoop();
            double start = loop.Time();
            await Coro("coro1", 1);
            await Coro("coro2", 2);
            output.WriteLine($"sequential await took {loop.Time() - start:0.#} s");

            start = loop.Time();
            AioTask t1 = Aio.CreateTask(Coro("task1", 1));
            AioTask t2 = Aio.CreateTask(Coro("task2", 2));
            // other work could happen here while both run
            await t1;
            await t2;
            output.WriteLine($"create_task took {loop.Time() - start:0.#} s");
        }

        Aio.Run(Main, options);
    }
}
