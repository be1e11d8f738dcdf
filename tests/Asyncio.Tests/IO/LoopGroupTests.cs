using System.Net;
using System.Text;

namespace Asyncio.Tests.IO;

public class LoopGroupTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); LoopGroupTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

    [Fact]
    public void RunParallel_TwoLoopsReusePort_BothServeConnections()
    {
        int port = 0;
        var served = new int[2];
        var ready = new CountdownEvent(2);
        var clientsDone = new ManualResetEventSlim();
        EventLoop?[] loops = new EventLoop?[2];
        Aio.RunParallel(3, async index =>
        {
            if (index < 2)
            {
                loops[index] = Aio.GetRunningLoop();
                lock (served)
                {
                    if (port == 0)
                    {
                        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
                        probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
                        port = ((IPEndPoint)probe.LocalEndPoint!).Port;
                    }
                }

                Server server = await Aio.StartServer(async (r, w) =>
                {
                    Interlocked.Increment(ref served[index]);
                    w.Write(await r.ReadLineAsync());
                    await w.DrainAsync();
                    w.Close();
                }, "127.0.0.1", port, reusePort: true);
                ready.Signal();
                while (!clientsDone.IsSet)
                {
                    await Aio.Sleep(0.01);
                }

                server.Close();
                await server.WaitClosedAsync();
                return;
            }

            // real-time: the client loop waits for the two server loops to listen (other threads), bounded.
            await Aio.ToThread(() => ready.Wait(TimeSpan.FromSeconds(30)));
            for (int i = 0; i < 200; i++)
            {
                var (r, w) = await Aio.OpenConnection("127.0.0.1", port);
                w.Write(Encoding.ASCII.GetBytes($"{i}\n"));
                Assert.Equal($"{i}\n", Encoding.ASCII.GetString(await r.ReadLineAsync()));
                w.Close();
            }

            clientsDone.Set();
        }, _ => LoopRun.Io(Backend, virtualTime: false));
        Assert.Equal(200, served[0] + served[1]);
        Assert.True(served[0] > 0 && served[1] > 0, $"connections were not spread: {served[0]} and {served[1]}");
    }

    [Fact]
    public void AwaitingAnotherLoopsTask_IsRefused()
    {
        AioTask? other = null;
        var created = new ManualResetEventSlim();
        var checkedIt = new ManualResetEventSlim();
        Exception? seen = null;
        Aio.RunParallel(2, async index =>
        {
            if (index == 0)
            {
                other = Aio.CreateTask(Aio.Sleep<int>(0.05, 1));
                created.Set();
                await Aio.ToThread(() => checkedIt.Wait(TimeSpan.FromSeconds(30)));
                await other;
                return;
            }

            await Aio.ToThread(() => created.Wait(TimeSpan.FromSeconds(30)));
            try
            {
                await other!;
            }
            catch (Exception e)
            {
                seen = e;
            }

            checkedIt.Set();
        }, _ => LoopRun.Io(Backend, virtualTime: false));
        Assert.NotNull(seen);
        Assert.Contains("CallSoonThreadSafe", seen!.Message);
    }
}

/// <summary>Every test of <see cref="LoopGroupTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class LoopGroupTestsOnPortableBackend : LoopGroupTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}
