using System.Threading.Channels;
using Asyncio.Benchmarks.Workloads;

namespace Asyncio.Benchmarks.Peers;

/// <summary>
/// The queue workloads' peer body, shared by the thread pool and <c>AsyncContext</c>: producer and consumer
/// <c>async Task</c>s through one <c>Channel.CreateBounded&lt;int&gt;</c>. Where it runs decides where the
/// continuations go (the pool, or posted to the context), exactly as for the caller's own code.
/// </summary>
/// <remarks>
/// Invariant (as in <see cref="QueueWorkload"/>): each producer writes <c>items / producers</c> ints (0, 1, ...), each
/// consumer reads <c>items / consumers</c>; the caller passes an item count divisible by both, so every task ends
/// without completing the channel. The consumers' sum is checked.
/// </remarks>
internal static class ChannelRun
{
    /// <summary>
    /// Runs the producers and consumers to the end. <paramref name="tryFirst"/> false: <c>await WriteAsync</c> /
    /// <c>await ReadAsync</c> per item; true: <c>TryWrite</c> / <c>TryRead</c>, awaiting <c>WaitToWriteAsync</c> /
    /// <c>WaitToReadAsync</c> only when they fail (the Channels idiom for throughput).
    /// </summary>
    public static async Task Run(long items, int producers, int consumers, int capacity, bool tryFirst)
    {
        Channel<int> channel = Channel.CreateBounded<int>(new BoundedChannelOptions(capacity)
        {
            SingleWriter = producers == 1,
            SingleReader = consumers == 1,
            FullMode = BoundedChannelFullMode.Wait,
        });
        int perProducer = checked((int)(items / producers));
        int perConsumer = checked((int)(items / consumers));
        var getters = new Task<long>[consumers];
        var putters = new Task[producers];
        for (int i = 0; i < consumers; i++)
        {
            getters[i] = tryFirst ? ConsumeTryFirst(channel.Reader, perConsumer) : Consume(channel.Reader, perConsumer);
        }

        for (int i = 0; i < producers; i++)
        {
            putters[i] = tryFirst ? ProduceTryFirst(channel.Writer, perProducer) : Produce(channel.Writer, perProducer);
        }

        long sum = 0;
        foreach (Task<long> g in getters)
        {
            sum += await g;
        }

        await Task.WhenAll(putters);
        QueueWorkload.CheckSum("queue peer", sum, producers, perProducer);
    }

    private static async Task Produce(ChannelWriter<int> writer, int n)
    {
        for (int i = 0; i < n; i++)
        {
            await writer.WriteAsync(i);
        }
    }

    private static async Task<long> Consume(ChannelReader<int> reader, int n)
    {
        long sum = 0;
        for (int i = 0; i < n; i++)
        {
            sum += await reader.ReadAsync();
        }

        return sum;
    }

    private static async Task ProduceTryFirst(ChannelWriter<int> writer, int n)
    {
        for (int i = 0; i < n; i++)
        {
            while (!writer.TryWrite(i))
            {
                if (!await writer.WaitToWriteAsync())
                {
                    throw new InvalidOperationException("queue peer: the channel was completed while a producer still had items.");
                }
            }
        }
    }

    private static async Task<long> ConsumeTryFirst(ChannelReader<int> reader, int n)
    {
        long sum = 0;
        int got = 0;
        while (got < n)
        {
            if (reader.TryRead(out int v))
            {
                sum += v;
                got++;
            }
            else if (!await reader.WaitToReadAsync())
            {
                throw new InvalidOperationException("queue peer: the channel was completed while a consumer still expected items.");
            }
        }

        return sum;
    }
}
