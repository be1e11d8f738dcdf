using System.Net;
using System.Text;

namespace Asyncio.Tests.Streams;

public class StreamEchoTests
{
    /// <summary>The I/O backend under test: Auto (epoll on Linux, or ASYNCIO_SELECTOR); StreamEchoTestsOnPortableBackend runs every test on the portable one.</summary>
    protected virtual IoBackend Backend => IoBackend.Auto;

    private LoopOptions Options() => LoopRun.Io(Backend);

    private static async Coroutine Echo(AioStreamReader reader, AioStreamWriter writer)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int n = await reader.ReadAsync(buffer);
            if (n == 0)
            {
                break;
            }

            writer.Write(buffer.AsSpan(0, n));
            await writer.DrainAsync();
        }

        writer.Close();
    }

    private static int PortOf(Server server) => ((IPEndPoint)server.Sockets[0].LocalEndPoint!).Port;

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    [InlineData(1024)]
    [InlineData(64 * 1024)]
    [InlineData(1024 * 1024)]
    public void Echo_RoundTrip_EveryByteBack(int size)
    {
        var payload = new byte[size];
        new Random(size).NextBytes(payload);
        byte[] back = Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(Echo, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            writer.Write(payload);
            await writer.DrainAsync();
            writer.WriteEof();
            byte[] all = await reader.ReadAsync(-1);
            writer.Close();
            await writer.WaitClosedAsync();
            server.Close();
            await server.WaitClosedAsync();
            return all;
        }, Options());
        Assert.Equal(payload, back);
    }

    [Fact]
    public void ReadLine_ReadUntil_ReadExactly()
    {
        Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(async (r, w) =>
            {
                w.Write("line one\nline two\nA|B||tail"u8);
                w.Write("1234567890"u8);
                await w.DrainAsync();
                w.Close();
            }, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            Assert.Equal("line one\n", Encoding.ASCII.GetString(await reader.ReadLineAsync()));
            Assert.Equal("line two\n", Encoding.ASCII.GetString(await reader.ReadLineAsync()));
            Assert.Equal("A|", Encoding.ASCII.GetString(await reader.ReadUntilAsync("|"u8.ToArray())));
            Assert.Equal("B||", Encoding.ASCII.GetString(await reader.ReadUntilAsync("||"u8.ToArray())));
            Assert.Equal("tail1234", Encoding.ASCII.GetString(await reader.ReadExactlyAsync(8)));
            var e = await Assert.ThrowsAsync<IncompleteReadError>(async () => await reader.ReadExactlyAsync(10));
            Assert.Equal("567890", Encoding.ASCII.GetString(e.Partial));
            Assert.Equal(10, e.Expected);
            Assert.Equal("6 bytes read on a total of 10 expected bytes", e.Message);
            Assert.True(reader.AtEof);
            writer.Close();
            server.Close();
        }, Options());
    }

    [Fact]
    public void ThousandConcurrentConnections_OneLoop()
    {
        int ok = Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(Echo, "127.0.0.1", 0, backlog: 1024);
            int port = PortOf(server);
            async Coroutine<int> Client(int i)
            {
                var (r, w) = await Aio.OpenConnection("127.0.0.1", port);
                byte[] msg = Encoding.ASCII.GetBytes($"hello {i}\n");
                w.Write(msg);
                await w.DrainAsync();
                byte[] line = await r.ReadLineAsync();
                w.Close();
                await w.WaitClosedAsync();
                return line.AsSpan().SequenceEqual(msg) ? 1 : 0;
            }

            int[] results = await Aio.Gather(Enumerable.Range(0, 1000).Select(Client));
            server.Close();
            await server.WaitClosedAsync();
            return results.Sum();
        }, Options());
        Assert.Equal(1000, ok);
    }

    [Fact]
    public void PeerReset_MidRead_ReaderGetsErrorAfterReceivedBytes()
    {
        Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(async (r, w) =>
            {
                w.Write("partial"u8);
                await w.DrainAsync();
                var socket = (System.Net.Sockets.Socket)w.GetExtraInfo("socket")!;
                socket.LingerState = new System.Net.Sockets.LingerOption(true, 0);   // close sends RST
                w.Transport.Abort();
            }, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            byte[] got = await reader.ReadExactlyAsync(7);
            Assert.Equal("partial", Encoding.ASCII.GetString(got));
            var e = await Assert.ThrowsAnyAsync<Exception>(async () => await reader.ReadAsync(100));
            Assert.True(e is System.Net.Sockets.SocketException || e is IncompleteReadError, e.ToString());
            server.Close();
        }, Options());
    }

    [Fact]
    public void Backpressure_SlowReader_DrainWaits_BufferBounded()
    {
        Aio.Run(async () =>
        {
            var released = Aio.GetRunningLoop().CreateFuture<bool>();
            Server server = await Aio.StartServer(async (r, w) =>
            {
                await released;   // don't read until told
                await r.ReadAsync(-1);
                w.Close();
            }, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            var chunk = new byte[64 * 1024];
            int writes = 0;
            var writerTask = Aio.CreateTask(WriteForever());
            async Coroutine WriteForever()
            {
                while (writes < 10_000)
                {
                    writer.Write(chunk);
                    writes++;
                    await writer.DrainAsync();
                }
            }

            await Aio.Sleep(5);
            Assert.False(writerTask.IsDone);   // blocked in DrainAsync: the peer does not read
            Assert.True(writer.Transport.WriteBufferSize <= 2 * Transport.DefaultHighWaterMark + chunk.Length);
            writerTask.Cancel();
            await Assert.ThrowsAsync<CancelledError>(async () => await writerTask);
            released.SetResult(true);
            writer.Close();
            server.Close();
        }, Options());
    }

    [Fact]
    public void WriteAfterClose_Throws()
    {
        Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(Echo, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            writer.Close();
            var e = Assert.Throws<InvalidOperationException>(() => writer.Write("x"u8));
            Assert.Contains("closed", e.Message);
            server.Close();
        }, Options());
    }

    private static async Coroutine HangUp(AioStreamReader reader, AioStreamWriter writer)
    {
        writer.Close();
        await writer.WaitClosedAsync();
    }

    // asyncio: writes to a connection the peer broke are dropped (a warning after a few), and drain() raises.
    [Fact]
    public void WriteAfterThePeerHungUp_DoesNotThrow_DrainReportsTheBrokenConnection()
    {
        Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(HangUp, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            Assert.Empty(await reader.ReadAsync(10));   // the peer's EOF
            Exception? drainError = null;
            for (int i = 0; i < 200 && drainError is null; i++)
            {
                writer.Write(new byte[1024]);   // never throws: the first writes meet the peer's reset, the rest are dropped
                try
                {
                    await writer.DrainAsync();
                    await Aio.Sleep(0.01);
                }
                catch (IOException e)
                {
                    drainError = e;
                }
            }

            Assert.NotNull(drainError);
            server.Close();
        }, Options());
    }

    [Fact]
    public void TwoReadersAtOnce_SecondThrows()
    {
        Aio.Run(async () =>
        {
            Server server = await Aio.StartServer(Echo, "127.0.0.1", 0);
            var (reader, writer) = await Aio.OpenConnection("127.0.0.1", PortOf(server));
            var first = Aio.CreateTask(reader.ReadAsync(10));
            await Aio.Sleep(0);
            var e = await Assert.ThrowsAsync<InvalidOperationException>(async () => await reader.ReadAsync(10));
            Assert.Contains("already waiting", e.Message);
            first.Cancel();
            writer.Close();
            server.Close();
        }, Options());
    }

    [Fact]
    public void Limit_ZeroOrNegative_Throws()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AioStreamReader(0));
        Assert.Contains("Limit", e.Message);
    }

    [Fact]
    public void OpenConnection_UnknownHost_Throws()
    {
        Aio.Run(async () =>
        {
            var e = await Assert.ThrowsAsync<System.Net.Sockets.SocketException>(async () => await Aio.OpenConnection("no-such-host.invalid", 80));
            Assert.Contains("no-such-host.invalid", e.Message);
        }, LoopRun.Io(Backend, virtualTime: false));
    }
}

/// <summary>Every test of <see cref="StreamEchoTests"/> again, on the portable (completion-based) backend.</summary>
public sealed class StreamEchoTestsOnPortableBackend : StreamEchoTests
{
    protected override IoBackend Backend => IoBackend.Portable;
}
