using System.Net;
using System.Net.Sockets;

namespace Asyncio.Tests.IO;

public class SocketOpsTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); SocketOpsTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

    [Fact]
    public void SockConnectAcceptSendRecv_RoundTrip()
    {
        byte[] got = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            using var listener = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            listener.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            listener.Listen(8);
            listener.Blocking = false;
            using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { Blocking = false };
            var accept = Aio.CreateTask(loop.SockAcceptAsync(listener));
            await loop.SockConnectAsync(client, listener.LocalEndPoint!);
            var (conn, _) = await accept;
            using (conn)
            {
                var big = new byte[1024 * 1024];
                new Random(3).NextBytes(big);
                var send = Aio.CreateTask(loop.SockSendAllAsync(client, big));
                var received = new MemoryStream();
                var buf = new byte[65536];
                while (received.Length < big.Length)
                {
                    int n = await loop.SockRecvAsync(conn, buf);
                    received.Write(buf, 0, n);
                }

                await send;
                Assert.True(big.AsSpan().SequenceEqual(received.ToArray()));
                return received.ToArray()[..4];
            }
        }, LoopRun.Io(Backend));
        Assert.Equal(4, got.Length);
    }

    [Fact]
    public void SockRecv_BlockingSocket_Throws()
    {
        Aio.Run(async () =>
        {
            using var s = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
            var e = await Assert.ThrowsAsync<ArgumentException>(async () => await Aio.GetRunningLoop().SockRecvAsync(s, 10));
            Assert.Contains("non-blocking", e.Message);
        }, LoopRun.Io(Backend, virtualTime: false));
    }
}

/// <summary>Every test of <see cref="SocketOpsTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class SocketOpsTestsOnPortableBackend : SocketOpsTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}
