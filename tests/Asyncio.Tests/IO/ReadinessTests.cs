using System.Net;
using System.Net.Sockets;

namespace Asyncio.Tests.IO;

/// <summary>Readiness callbacks (asyncio's add_reader/add_writer): the epoll backend's; the portable one refuses them (below).</summary>
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
            }, LoopRun.Io(IoBackend.Epoll));
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
            }, LoopRun.Io(IoBackend.Epoll));
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
            }, new LoopOptions { Clock = new VirtualClock { IoGrace = TimeSpan.Zero }, IoBackend = IoBackend.Epoll });
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
        }, LoopRun.Io(IoBackend.Epoll, virtualTime: false));
    }
}

/// <summary>The portable backend has no readiness callbacks, as asyncio's Proactor loop: each call says so and what to use instead.</summary>
public class ReadinessTestsOnPortableBackend
{
    private static void AssertRefused(Action call, string member)
    {
        var e = Assert.Throws<NotSupportedException>(call);
        foreach (string fragment in new[] { member, "readiness callbacks", "epoll", "Linux", "Portable backend", "CreateConnection", "Aio.OpenConnection", "SockRecvAsync" })
        {
            Assert.Contains(fragment, e.Message);
        }
    }

    [Fact]
    public void AddReaderAndAddWriter_ThrowNotSupported_NamingTheAlternatives()
    {
        var (a, b) = ReadinessTests.SocketPair();
        using (a)
        using (b)
        {
            Aio.Run(async () =>
            {
                var loop = Aio.GetRunningLoop();
                AssertRefused(() => loop.AddReader(b, () => { }), "AddReader");
                AssertRefused(() => loop.AddWriter(a, () => { }), "AddWriter");
                AssertRefused(() => loop.AddReader(EventLoop.FdOf(b), static _ => { }, null), "AddReader");
                AssertRefused(() => loop.AddReader(-1, () => { }), "AddReader");   // the backend is the first thing wrong
                await Aio.Sleep(0);
            }, LoopRun.Io(IoBackend.Portable));
        }
    }

    [Fact]
    public void RemoveReaderAndRemoveWriter_ThrowNotSupported()
    {
        var (a, b) = ReadinessTests.SocketPair();
        using (a)
        using (b)
        {
            Aio.Run(async () =>
            {
                var loop = Aio.GetRunningLoop();
                AssertRefused(() => loop.RemoveReader(b), "RemoveReader");
                AssertRefused(() => loop.RemoveWriter(a), "RemoveWriter");
                await Aio.Sleep(0);
            }, LoopRun.Io(IoBackend.Portable));
        }
    }
}
