using System.Net;
using System.Text;

namespace Asyncio.Tests.IO;

public class ProtocolTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); ProtocolTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

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
        }, LoopRun.Io(Backend));
        Assert.Equal("hello", got);
    }

    [Fact]
    public void VirtualTime_SleepsStillJump_WhileConnectionIdle()
    {
        double elapsed = Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            Server server = await loop.CreateServer(() => new EchoProtocol(), "127.0.0.1", 0);
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            var (transport, client) = await loop.CreateConnection(() => new ClientProtocol(), "127.0.0.1", port);
            double start = loop.Time();
            await Aio.Sleep(3600);   // both ends and the server wait for I/O all along: watched, yet time jumps
            double slept = loop.Time() - start;
            transport.Write("still there"u8);
            while (client.Received.Length < 11)
            {
                await Aio.Sleep(0.01);
            }

            transport.Close();
            await client.Lost;
            server.Close();
            await server.WaitClosedAsync();
            return slept;
        }, new LoopOptions { Clock = new VirtualClock { IoGrace = TimeSpan.Zero }, IoBackend = Backend });
        Assert.Equal(3600.0, elapsed);
    }

    private sealed class PausedProtocol : Protocol
    {
        public override void ConnectionMade(Transport transport) => transport.PauseReading();
    }

    [Fact]
    public void PausedConnection_NothingElseToWaitFor_IsADeadlock()
    {
        var e = Assert.Throws<DeadlockException>(() => Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            Server server = await loop.CreateServer(() => new PausedProtocol(), "127.0.0.1", 0);
            int port = ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;
            await loop.CreateConnection(() => new PausedProtocol(), "127.0.0.1", port);
            while (server.ActiveConnections == 0)
            {
                await Aio.Sleep(0.01);
            }

            server.Close();

            // Both ends stopped reading and nothing listens: no I/O is watched, so nothing can ever set this future.
            await loop.CreateFuture<bool>();
        }, LoopRun.Io(Backend)));
        Assert.Contains("Deadlock", e.Message);
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
        }, LoopRun.Io(Backend, virtualTime: false));
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
        }, LoopRun.Io(Backend, virtualTime: false));
    }

    [Fact]
    public void CreateConnection_BadPort_Throws()
    {
        Aio.Run(async () =>
        {
            var loop = Aio.GetRunningLoop();
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await loop.CreateConnection(() => new ClientProtocol(), "127.0.0.1", 0));
            await Assert.ThrowsAsync<ArgumentOutOfRangeException>(async () => await loop.CreateConnection(() => new ClientProtocol(), "127.0.0.1", 65536));
        }, LoopRun.Io(Backend, virtualTime: false));
    }
}

/// <summary>Every test of <see cref="ProtocolTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class ProtocolTestsOnPortableBackend : ProtocolTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}
