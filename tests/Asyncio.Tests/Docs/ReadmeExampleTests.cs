namespace Asyncio.Tests.Docs;

/// <summary>The "A first program" example of the root README.md, as written there.</summary>
public sealed class ReadmeExampleTests
{
    private static async Coroutine<string> Fetch(string page, AsyncSemaphore limit)
    {
        await using (await limit.AcquireAsync())
        {
            await Aio.Sleep(1);   // an I/O wait: the loop runs the other tasks meanwhile
            return page;
        }
    }

    [Fact]
    public void FirstProgram_ThreeDownloadsTwoAtATime_EndsAtTwoSecondsInOrder()
    {
        var options = new LoopOptions { Clock = new VirtualClock() };
        double end = 0;
        string pages = Aio.Run(async () =>
        {
            var limit = new AsyncSemaphore(2);
            var (a, b, c) = await Aio.Gather(Fetch("a", limit), Fetch("b", limit), Fetch("c", limit));
            end = Aio.GetRunningLoop().Time();
            return $"{a}, {b}, {c}";
        }, options);

        Assert.Equal("a, b, c", pages);
        Assert.Equal(2.0, end, 6);
    }
}
