namespace Asyncio.Tests;

public class SmokeTests
{
    private static LoopOptions Virtual() => new() { Clock = new VirtualClock(), Scheduling = Scheduling.Fifo };

    [Fact]
    public void Run_ReturnsResult()
    {
        int r = Aio.Run(async () =>
        {
            await Aio.Sleep(1);
            return 42;
        }, Virtual());
        Assert.Equal(42, r);
    }

    [Fact]
    public void TwoTasks_SleepConcurrently()
    {
        var log = new List<string>();
        double end = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            async Coroutine Worker(string name, double d)
            {
                await Aio.Sleep(d);
                log.Add($"{name}@{loop.Time()}");
            }

            var a = Aio.CreateTask(Worker("a", 1));
            var b = Aio.CreateTask(Worker("b", 2));
            await a;
            await b;
            return loop.Time();
        }, Virtual());
        Assert.Equal(2.0, end);
        Assert.Equal(new[] { "a@1", "b@2" }, log);
    }

    [Fact]
    public void NestedCoroutines_ReturnValues()
    {
        static async Coroutine<int> Leaf(int x)
        {
            await Aio.Sleep(0);
            return x * 2;
        }

        static async Coroutine<int> Sync(int x) => x + 1;

        int r = Aio.Run(async () =>
        {
            int total = 0;
            for (int i = 0; i < 1000; i++)
            {
                total += await Leaf(i);
                total += await Sync(i);
            }

            return total;
        }, Virtual());
        Assert.Equal(Enumerable.Range(0, 1000).Sum(i => i * 2 + i + 1), r);
    }

    [Fact]
    public void Cancel_WhileSleeping_ThrowsCancelledError()
    {
        string result = Aio.Run(async () =>
        {
            async Coroutine<string> Sleeper()
            {
                try
                {
                    await Aio.Sleep(10);
                    return "slept";
                }
                catch (CancelledError e)
                {
                    return "cancelled:" + e.CancelMessage;
                }
            }

            var t = Aio.CreateTask(Sleeper());
            await Aio.Sleep(1);
            t.Cancel("stop");
            return await t;
        }, Virtual());
        Assert.Equal("cancelled:stop", result);
    }

    [Fact]
    public void DeepSyncAwaits_DoNotOverflow()
    {
        static async Coroutine<int> One() => 1;
        int r = Aio.Run(async () =>
        {
            int s = 0;
            for (int i = 0; i < 1_000_000; i++)
            {
                s += await One();
            }

            return s;
        }, Virtual());
        Assert.Equal(1_000_000, r);
    }
}
