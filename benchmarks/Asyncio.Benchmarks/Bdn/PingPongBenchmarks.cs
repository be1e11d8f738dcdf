using Asyncio.Benchmarks.Workloads;
using BenchmarkDotNet.Attributes;

namespace Asyncio.Benchmarks.Bdn;

/// <summary>Round trips between two tasks through the one-slot channel built on <see cref="WaitQueue"/>, and through futures.</summary>
[MemoryDiagnoser]
public class PingPongBenchmarks
{
    private const int Ops = 1000;

    private EventLoop _loop = null!;

    [GlobalSetup]
    public void Setup() => _loop = new EventLoop();

    [GlobalCleanup]
    public void Cleanup() => _loop.Close();

    /// <summary>One round trip = two hand-offs through reusable <see cref="OneSlotChannel"/>s (two task switches).</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void OneSlotChannels() => _loop.RunUntilComplete(ChannelMain(Ops));

    /// <summary>The same with a fresh <see cref="Future{T}"/> per hand-off (asyncio's usual low-level pattern).</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void FreshFutures() => _loop.RunUntilComplete(FutureMain(Ops));

    private static async Coroutine ChannelMain(int n)
    {
        var there = new OneSlotChannel();
        var back = new OneSlotChannel();
        AioTask pong = Aio.CreateTask(ChannelPong(there, back, n));
        for (int i = 0; i < n; i++)
        {
            there.Put(i);
            await back.Take();
        }

        await pong;
    }

    private static async Coroutine ChannelPong(OneSlotChannel there, OneSlotChannel back, int n)
    {
        for (int i = 0; i < n; i++)
        {
            back.Put(await there.Take() + 1);
        }
    }

    private sealed class Mailbox
    {
        public Future<int>? ToPong;
        public Future<int>? ToPing;
    }

    private static async Coroutine FutureMain(int n)
    {
        EventLoop loop = Aio.GetRunningLoop();
        var box = new Mailbox { ToPong = loop.CreateFuture<int>(), ToPing = loop.CreateFuture<int>() };
        AioTask pong = Aio.CreateTask(FuturePong(box, n));
        for (int i = 0; i < n; i++)
        {
            Future<int> reply = box.ToPing!;
            box.ToPong!.SetResult(i);
            await reply;
            box.ToPing = loop.CreateFuture<int>();
        }

        await pong;
    }

    private static async Coroutine FuturePong(Mailbox box, int n)
    {
        EventLoop loop = Aio.GetRunningLoop();
        for (int i = 0; i < n; i++)
        {
            int v = await box.ToPong!;
            box.ToPong = loop.CreateFuture<int>();
            box.ToPing!.SetResult(v + 1);
        }
    }
}
