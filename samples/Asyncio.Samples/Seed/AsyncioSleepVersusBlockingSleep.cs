namespace Asyncio.Samples.Seed;

/// <summary>
/// "What is the difference between asyncio.sleep() and time.sleep()?" — <c>Aio.Sleep</c> lets other tasks run;
/// a blocking sleep (<c>Thread.Sleep</c>) freezes the whole loop, so a ticker task stops ticking.
/// </summary>
public sealed class AsyncioSleepVersusBlockingSleep : ISample
{
    /// <inheritdoc/>
    public string Name => "asyncio-sleep-vs-blocking-sleep";

    /// <inheritdoc/>
    public string Question => "What is the difference between asyncio.sleep() and time.sleep()?";

    /// <inheritdoc/>
    public void Run(TextWriter output, LoopOptions options)
    {
        async Coroutine Ticker(int count)
        {
            for (int i = 1; i <= count; i++)
            {
                await Aio.Sleep(0.5);
                output.WriteLine($"tick {i}");
            }
        }

        async Coroutine Main()
        {
            EventLoop loop = Aio.GetRunningLoop();

            output.WriteLine("Starting asyncio sleep");
            AioTask ticker = Aio.CreateTask(Ticker(4));
            await Aio.Sleep(2);                    // other tasks run meanwhile: 4 ticks
            output.WriteLine("Finished asyncio sleep");
            await ticker;

            ticker = Aio.CreateTask(Ticker(2));
            await Aio.Sleep(0);                             // the ticker starts: its first tick is due at t+0.5
            output.WriteLine("Starting blocking sleep");
            BlockingSleep(loop, TimeSpan.FromSeconds(2));   // the loop is frozen: no tick meanwhile
            output.WriteLine("Finished blocking sleep");
            await ticker;                                   // the overdue tick comes only now
        }

        Aio.Run(Main, options);
    }

    /// <summary>
    /// <c>time.sleep</c>: blocks the loop's thread. Under a virtual clock it moves the clock by hand instead of
    /// waiting, which shows the same thing: time passes and nothing else runs.
    /// </summary>
    private static void BlockingSleep(EventLoop loop, TimeSpan delay)
    {
        if (loop.Clock is VirtualClock clock)
        {
            clock.Advance(delay);
        }
        else
        {
            Thread.Sleep(delay);
        }
    }
}
