using BenchmarkDotNet.Attributes;

namespace Asyncio.Benchmarks.Bdn;

/// <summary><c>loop.CallSoon</c> with a static <c>Action&lt;object?&gt;</c>: a batch run in one iteration, and a chain of iterations.</summary>
[MemoryDiagnoser]
public class CallSoonBenchmarks
{
    private const int Ops = 1000;

    private static readonly Action<object?> s_noop = static _ => { };
    private static readonly Action<object?> s_stop = static s => ((EventLoop)s!).Stop();
    private static readonly Action<object?> s_chain = static s =>
    {
        var c = (Chain)s!;
        if (--c.Remaining == 0)
        {
            c.Loop.Stop();
        }
        else
        {
            c.Loop.CallSoon(s_chain!, c);
        }
    };

    private EventLoop _loop = null!;
    private Chain _chain = null!;

    [GlobalSetup]
    public void Setup()
    {
        _loop = new EventLoop();
        _chain = new Chain(_loop);
    }

    [GlobalCleanup]
    public void Cleanup() => _loop.Close();

    /// <summary>1,000 callbacks queued at once; the last stops the loop, so all run in one iteration.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void Batch()
    {
        EventLoop loop = _loop;
        for (int i = 0; i < Ops - 1; i++)
        {
            loop.CallSoon(s_noop, null);
        }

        loop.CallSoon(s_stop, loop);
        loop.RunForever();
    }

    /// <summary>Each callback queues the next: one callback per iteration, 1,000 iterations.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void ChainOfIterations()
    {
        _chain.Remaining = Ops;
        _loop.CallSoon(s_chain, _chain);
        _loop.RunForever();
    }

    private sealed class Chain(EventLoop loop)
    {
        public readonly EventLoop Loop = loop;
        public int Remaining;
    }
}
