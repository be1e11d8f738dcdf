using System.Net;
using System.Text;

namespace Asyncio.Tests.IO;

public class ProtocolTests
{
    private sealed class EchoProtocol : Protocol
    {
        private Transport? _transport;

        public override void ConnectionMade(Transport transport) => _transport = transport;

        public override void DataReceived(ReadOnlySpan<byte> data) => _transport!.Write(data);
    }

    private sealed class ClientProtocol : Protocol
    {
        public readonly StringBuilder Received = new();
        public Future<Exception?> Lost = null!;
        public Transport? Transport;

        public override void ConnectionMade(Transport transport)
        {
            Transport = transport;
            Lost = transport.Loop.CreateFuture<Exception?>();
        }

        public override void DataReceived(ReadOnlySpan<byte> data) => Received.Append(Encoding.ASCII.GetString(data));

        public override void ConnectionLost(Exception? error) => Lost.TrySetResult(error);
    }

    [Fact]
    public void EchoServer_RoundTrip()
    {
        string got = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0);
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            var (transport, client) = await loop.CreateConnection(() => new ClientProtocol(), "127.0.0.1", port);
            transport.Write("hello"u8);
            while (client.Received.Length < 5)
            {
                await Aio.Sleep(0.01);
            }

            transport.Close();
            await client.Lost;
            server.Close();
            await server.WaitClosedAsync();
            return client.Received.ToString();
        }, new LoopOptions { Clock = new VirtualClock() });
        Assert.Equal("hello", got);
    }

    [Fact]
    public void CreateConnection_ClosedPort_ThrowsSocketException()
    {
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0);
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            server.Close();
            await server.WaitClosedAsync();
            var e = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(async () => await loop.CreateConnection(() => new ClientProtocol(), "127.0.0.1", port));
            Assert.Contains("Could not connect", e.Message);
        });
    }

    [Fact]
    public void CreateServer_PortInUse_Throws()
    {
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0);
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            var e = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(async () => await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", port));
            Assert.Contains("Could not bind", e.Message);
            server.Close();
        });
    }

    [Fact]
    public void CreateConnection_BadPort_Throws()
    {
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await loop.CreateConnection(() => new ClientProtocol(), "127.0.0.1", 0));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await loop.CreateConnection(() => new ClientProtocol(), "127.0.0.1", 65536));
        });
    }
}
