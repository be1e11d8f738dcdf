using System.Net;
using System.Text;

namespace Asyncio.Tests.IO;

public class DatagramTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); DatagramTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

    private sealed class EchoUdp : DatagramProtocol
    {
        private DatagramTransport? _t;

        public override void ConnectionMade(DatagramTransport transport) => _t = transport;

        public override void DatagramReceived(ReadOnlySpan<byte> data, EndPoint address) => _t!.SendTo(data, address);
    }

    private sealed class Client : DatagramProtocol
    {
        public Future<string> Reply = null!;
        public Future<Exception> Error = null!;

        public override void ConnectionMade(DatagramTransport transport)
        {
            Reply = transport.Loop.CreateFuture<string>();
            Error = transport.Loop.CreateFuture<Exception>();
        }

        public override void DatagramReceived(ReadOnlySpan<byte> data, EndPoint address) => Reply.TrySetResult(Encoding.ASCII.GetString(data));

        public override void ErrorReceived(Exception error) => Error.TrySetResult(error);
    }

    [Fact]
    public void Udp_EchoRoundTrip()
    {
        string reply = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var (server, _) = await loop.CreateDatagramEndpoint(() => new EchoUdp(), localAddress: new IPEndPoint(IPAddress.Loopback, 0));
            var serverAddress = (IPEndPoint)server.GetExtraInfo("sockname")!;
            var (client, protocol) = await loop.CreateDatagramEndpoint(() => new Client(), remoteAddress: serverAddress);
            client.SendTo("ping"u8);
            string r = await Aio.WaitFor(protocol.Reply, 30);
            client.Close();
            server.Close();
            return r;
        }, LoopRun.Io(Backend, virtualTime: false));
        Assert.Equal("ping", reply);
    }

    [Fact]
    public void Udp_ConnectedToClosedPort_ErrorReceived()
    {
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var (probe, _) = await loop.CreateDatagramEndpoint(() => new EchoUdp(), localAddress: new IPEndPoint(IPAddress.Loopback, 0));
            var address = (IPEndPoint)probe.GetExtraInfo("sockname")!;
            probe.Close();
            await Aio.Sleep(0);
            var (client, protocol) = await loop.CreateDatagramEndpoint(() => new Client(), remoteAddress: address);
            client.SendTo("x"u8);
            Exception e = await Aio.WaitFor(protocol.Error, 30);
            Assert.IsType<System.Net.Sockets.SocketException>(e);
            client.Close();
        }, LoopRun.Io(Backend, virtualTime: false));
    }

    [Fact]
    public void Udp_SendToOtherAddressWhenConnected_Throws()
    {
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            var (client, _) = await loop.CreateDatagramEndpoint(() => new Client(), remoteAddress: new IPEndPoint(IPAddress.Loopback, 9));
            var e = Assert.Throws<ArgumentException>(() => client.SendTo("x"u8, new IPEndPoint(IPAddress.Loopback, 10)));
            Assert.Contains("Invalid address", e.Message);
            client.Close();
        }, LoopRun.Io(Backend, virtualTime: false));
    }
}

/// <summary>Every test of <see cref="DatagramTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class DatagramTestsOnPortableBackend : DatagramTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}
