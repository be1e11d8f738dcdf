namespace Asyncio.Samples.Seed;

/// <summary>"What is an asyncio.Task?" — <c>create_task</c> schedules a coroutine; <c>await task</c> waits for it.</summary>
public sealed class WhatIsATask : ISample
{
    /// <inheritdoc/>
    public string Name => "what-is-a-task";

    /// <inheritdoc/>
    public string Question => "What is an asyncio.Task? (create_task, then await)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine MyCoroutine()
        {
            await Aio.Sleep(1);
            output.WriteLine("Task finished");
        }

        async Coroutine Main()
        {
            AioTask task = Aio.CreateTask(MyCoroutine());
            await task;
        }

        Aio.Run(Main, options);
    }
}
