using System.Net;
using System.Net.Sockets;

namespace Asyncio.Tests.IO;

public class ReadinessTests
{
    /// <summary>A connected pair of TCP sockets on loopback.</summary>
    internal static (Socket A, Socket B) SocketPair()
    {
        using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        listener.Listen(1);
        var a = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        a.Connect(listener.LocalEndPoint!);
        Socket b = listener.Accept();
        a.Blocking = false;
        b.Blocking = false;
        return (a, b);
    }

    [Fact]
    public void AddReader_DataArrives_CallbackRunsOnLoop()
    {
        var (a, b) = SocketPair();
        using (a)
        using (b)
        {
            var got = new List<string>();
            Aio.Run(async () =>
            {
                var loop = Aio.GetRunningLoop();
                var done = loop.CreateFuture<bool>();
                loop.AddReader(b, () =>
                {
                    var buf = new byte[16];
                    int n = b.Receive(buf);
                    got.Add(System.Text.Encoding.ASCII.GetString(buf, 0, n));
                    Assert.True(loop.RemoveReader(b));
                    done.SetResult(true);
                });
                a.Send("ping"u8);
                await done;
                Assert.False(loop.RemoveReader(b));
            }, new LoopOptions { Clock = new VirtualClock() });
            Assert.Equal(["ping"], got);
        }
    }

    [Fact]
    public void AddWriter_WritableSocket_CallbackRuns()
    {
        var (a, b) = SocketPair();
        using (a)
        using (b)
        {
            int calls = 0;
            Aio.Run(async () =>
            {
                var loop = Aio.GetRunningLoop();
                var done = loop.CreateFuture<bool>();
                loop.AddWriter(a, () =>
                {
                    calls++;
                    loop.RemoveWriter(a);
                    done.SetResult(true);
                });
                await done;
            }, new LoopOptions { Clock = new VirtualClock() });
            Assert.Equal(1, calls);
        }
    }

    [Fact]
    public void VirtualTime_SleepsStillJump_WhileReaderRegistered()
    {
        var (a, b) = SocketPair();
        using (a)
        using (b)
        {
            double t = Aio.Run(async () =>
            {
                var loop = Aio.GetRunningLoop();
                loop.AddReader(b, () => { });
                await Aio.Sleep(3600);
                loop.RemoveReader(b);
                return loop.Time();
            }, new LoopOptions { Clock = new VirtualClock { IoGrace = TimeSpan.Zero } });
            Assert.Equal(3600.0, t);
        }
    }

    [Fact]
    public void AddReader_NegativeFd_Throws()
    {
        Aio.Run(async () =>
        {
            var e = Assert.Throws<ArgumentOutOfRangeException>(() => Aio.GetRunningLoop().AddReader(-1, () => { }));
            Assert.Contains("file descriptor", e.Message);
            await Aio.Sleep(0);
        });
    }
}
