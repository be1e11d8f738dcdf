using BenchmarkDotNet.Attributes;

namespace Asyncio.Benchmarks.Bdn;

/// <summary>Timers: <c>CallLater</c> then fire (virtual and real clock), schedule then cancel, and a task sleeping on a timer.</summary>
[MemoryDiagnoser]
public class TimerBenchmarks
{
    private const int Ops = 1000;

    private static readonly Action<object?> s_fired = static s =>
    {
        var c = (Countdown)s!;
        if (--c.Remaining == 0)
        {
            c.Loop.Stop();
        }
    };

    private static readonly Action<object?> s_never = static _ => throw new InvalidOperationException("a cancelled timer fired");

    private EventLoop _virtualLoop = null!;
    private EventLoop _realLoop = null!;
    private Countdown _virtualCountdown = null!;
    private Countdown _realCountdown = null!;
    private readonly double[] _delays = new double[Ops];
    private readonly TimerHandle[] _handles = new TimerHandle[Ops];

    [GlobalSetup]
    public void Setup()
    {
        _virtualLoop = new EventLoop(new LoopOptions { Clock = new VirtualClock() });
        _realLoop = new EventLoop();
        _virtualCountdown = new Countdown(_virtualLoop);
        _realCountdown = new Countdown(_realLoop);
        var random = new Random(42);
        for (int i = 0; i < Ops; i++)
        {
            _delays[i] = random.NextDouble();   // up to 1 s, in no particular order
        }
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        _virtualLoop.Close();
        _realLoop.Close();
    }

    /// <summary>1,000 <c>CallLater</c>s with delays scattered over 1 s of virtual time, then all fire (the clock jumps).</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void CallLaterFire_Virtual()
    {
        _virtualCountdown.Remaining = Ops;
        for (int i = 0; i < Ops; i++)
        {
            _virtualLoop.CallLater(_delays[i], s_fired, _virtualCountdown);
        }

        _virtualLoop.RunForever();
    }

    /// <summary>1,000 <c>CallLater(0)</c>s on the real clock: due at once, they fire on the next iteration.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void CallLaterZeroFire_Real()
    {
        _realCountdown.Remaining = Ops;
        for (int i = 0; i < Ops; i++)
        {
            _realLoop.CallLater(0, s_fired, _realCountdown);
        }

        _realLoop.RunForever();
    }

    /// <summary>1,000 <c>CallLater</c>s then 1,000 <c>Cancel</c>s (the heap purges dead timers as it goes).</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void CallLaterCancel()
    {
        for (int i = 0; i < Ops; i++)
        {
            _handles[i] = _realLoop.CallLater(_delays[i] + 3600, s_never, null);
        }

        for (int i = 0; i < Ops; i++)
        {
            _handles[i].Cancel();
        }
    }

    /// <summary><c>await Aio.Sleep(0.001)</c> 1,000 times in a task, in virtual time: a task's own timer, no handle.</summary>
    [Benchmark(OperationsPerInvoke = Ops)]
    public void TaskSleep_Virtual() => _virtualLoop.RunUntilComplete(SleepLoop(Ops));

    private static async Coroutine SleepLoop(int n)
    {
        for (int i = 0; i < n; i++)
        {
            await Aio.Sleep(0.001);
        }
    }

    private sealed class Countdown(EventLoop loop)
    {
        public readonly EventLoop Loop = loop;
        public int Remaining;
    }
}
