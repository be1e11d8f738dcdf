using System.Diagnostics;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>
/// How late a 10 ms ticker gets while something else makes a blocking call (<c>Thread.Sleep</c>) of
/// <paramref name="BlockMilliseconds"/>: a ticker task on the loop next to a coroutine that blocks, the same next to
/// a coroutine that sends the call to <see cref="Aio.ToThread(Action)"/>, and a ticker thread next to a blocking thread.
/// </summary>
/// <param name="LoopBlockedLateMs">Worst lateness of the ticker task when the call blocks the loop.</param>
/// <param name="LoopToThreadLateMs">Worst lateness of the ticker task when the call runs through ToThread.</param>
/// <param name="ThreadsLateMs">Worst lateness of a ticker thread while another thread blocks.</param>
internal sealed record BlockingResult(int BlockMilliseconds, int TickMilliseconds, double LoopBlockedLateMs, double LoopToThreadLateMs, double ThreadsLateMs);

internal static class Blocking
{
    private const int TickMs = 10;

    public static BlockingResult Measure(int blockMs, CancellationToken cancel)
    {
        double blocked = Aio.Run(() => LoopTicker(blockMs, toThread: false), MeasureLoop.Options);
        cancel.ThrowIfCancellationRequested();
        double toThread = Aio.Run(() => LoopTicker(blockMs, toThread: true), MeasureLoop.Options);
        cancel.ThrowIfCancellationRequested();
        double threads = ThreadTicker(blockMs);
        return new BlockingResult(blockMs, TickMs, blocked, toThread, threads);
    }

    private static async Coroutine<double> LoopTicker(int blockMs, bool toThread)
    {
        var ticker = new Ticker();
        AioTask ticks = Aio.CreateTask(ticker.RunOnLoop());
        await Aio.Sleep(0.05);
        if (toThread)
        {
            await Aio.ToThread(() => Thread.Sleep(blockMs));
        }
        else
        {
#pragma warning disable ASY001 // the point: a blocking call inside a coroutine
            Thread.Sleep(blockMs);
#pragma warning restore ASY001
        }

        await Aio.Sleep(0.05);
        ticker.Stop = true;
        await ticks;
        return ticker.WorstLateMs;
    }

    private static double ThreadTicker(int blockMs)
    {
        var ticker = new Ticker();
        var thread = new Thread(ticker.RunOnThread) { IsBackground = true, Name = "ticker" };
        thread.Start();
        Thread.Sleep(50);
        var blocker = new Thread(() => Thread.Sleep(blockMs)) { IsBackground = true, Name = "blocking call" };
        blocker.Start();
        blocker.Join();
        Thread.Sleep(50);
        ticker.Stop = true;
        thread.Join();
        return ticker.WorstLateMs;
    }

    /// <summary>Ticks every 10 ms and remembers the worst gap beyond 10 ms between two ticks.</summary>
    private sealed class Ticker
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private double _last;

        public volatile bool Stop;

        public double WorstLateMs { get; private set; }

        public async Coroutine RunOnLoop()
        {
            _last = _clock.Elapsed.TotalMilliseconds;
            while (!Stop)
            {
                await Aio.Sleep(TickMs / 1000.0);
                Tick();
            }
        }

        public void RunOnThread()
        {
            _last = _clock.Elapsed.TotalMilliseconds;
            while (!Stop)
            {
                Thread.Sleep(TickMs);
                Tick();
            }
        }

        private void Tick()
        {
            double now = _clock.Elapsed.TotalMilliseconds;
            WorstLateMs = Math.Max(WorstLateMs, now - _last - TickMs);
            _last = now;
        }
    }
}
