namespace Asyncio.Samples.Seed;

/// <summary>
/// "What is the purpose of asyncio.Queue?" — a producer puts five items, a consumer gets them: safe communication
/// between coroutines without race conditions.
/// </summary>
public sealed class ProducerConsumerQueue : ISample
{
    /// <inheritdoc/>
    public string Name => "producer-consumer-queue";

    /// <inheritdoc/>
    public string Question => "What is the purpose of asyncio.Queue? (producer/consumer)";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        var queue = new AsyncQueue<int>();

        async Coroutine Producer()
        {
            for (int i = 0; i < 5; i++)
            {
                await queue.PutAsync(i);
                output.WriteLine($"Produced {i}");
                await Aio.Sleep(0.5);
            }
        }

        async Coroutine Consumer()
        {
            for (int i = 0; i < 5; i++)
            {
                int item = await queue.GetAsync();
                output.WriteLine($"Consumed {item}");
                queue.TaskDone();
            }
        }

        async Coroutine Main()
        {
            await Aio.Gather(Producer(), Consumer());
            await queue.JoinAsync();
        }

        Aio.Run(Main, options);
    }
}
