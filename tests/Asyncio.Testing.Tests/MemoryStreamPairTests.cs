using System.Text;

namespace Asyncio.Testing.Tests;

/// <summary><see cref="MemoryStreamPair"/>: two connected stream ends without sockets.</summary>
public class MemoryStreamPairTests
{
    [Fact]
    public void Create_WhatOneEndWritesTheOtherReads()
    {
        string line = AioTest.Run(async () =>
        {
            var (client, server) = MemoryStreamPair.Create();
            client.Writer.Write("ping\n"u8);
            await client.Writer.DrainAsync();
            byte[] got = await server.Reader.ReadLineAsync();
            return Encoding.ASCII.GetString(got);
        });
        Assert.Equal("ping\n", line);
    }

    [Fact]
    public void Create_AnEchoHandler_RoundTripsInVirtualTime()
    {
        var replies = AioTest.Run(async () =>
        {
            var ((clientReader, clientWriter), (serverReader, serverWriter)) = MemoryStreamPair.Create();
            AioTask server = Aio.CreateTask(Echo(serverReader, serverWriter), name: "echo");
            var got = new List<string>();
            foreach (string word in new[] { "one", "two", "three" })
            {
                clientWriter.Write(Encoding.ASCII.GetBytes(word + "\n"));
                await clientWriter.DrainAsync();
                got.Add(Encoding.ASCII.GetString(await clientReader.ReadLineAsync()).TrimEnd());
            }

            clientWriter.Close();
            await clientWriter.WaitClosedAsync();
            await server;
            AioTest.AssertNow(0.3);   // the handler sleeps 0.1 s per line
            return got;
        });
        Assert.Equal(["ONE", "TWO", "THREE"], replies);
    }

    [Fact]
    public void WriteEof_HalfCloses_TheOtherDirectionStillWorks()
    {
        AioTest.Run(async () =>
        {
            var (a, b) = MemoryStreamPair.Create();
            a.Writer.Write("request"u8);
            a.Writer.WriteEof();
            Assert.True(a.Writer.CanWriteEof);
            byte[] request = await b.Reader.ReadAsync();   // to EOF
            Assert.Equal("request", Encoding.ASCII.GetString(request));
            Assert.True(b.Reader.AtEof);

            b.Writer.Write("response"u8);
            b.Writer.Close();
            byte[] response = await a.Reader.ReadAsync();
            Assert.Equal("response", Encoding.ASCII.GetString(response));
            Assert.True(a.Reader.AtEof);
        });
    }

    [Fact]
    public void Close_TheOtherReaderSeesEof_AndWaitClosedReturns()
    {
        AioTest.Run(async () =>
        {
            var (a, b) = MemoryStreamPair.Create();
            a.Writer.Close();
            Assert.True(a.Writer.IsClosing);
            await a.Writer.WaitClosedAsync();
            Assert.Empty(await b.Reader.ReadAsync());
            Assert.True(b.Reader.AtEof);
            var e = Assert.Throws<InvalidOperationException>(() => a.Writer.Write("x"u8));
            Assert.StartsWith("Write on a closed stream writer", e.Message, StringComparison.Ordinal);
            await Assert.ThrowsAsync<IOException>(async () => await a.Writer.DrainAsync());
        });
    }

    [Fact]
    public void DrainAsync_WaitsWhileTheOtherEndDoesNotRead()
    {
        AioTest.Run(async () =>
        {
            var (a, b) = MemoryStreamPair.Create();
            b.Transport.PauseReading();
            Aio.GetRunningLoop().CallLater(5, b.Transport.ResumeReading);
            a.Writer.Write(new byte[100_000]);   // above the 64 KiB high-water mark
            await a.Writer.DrainAsync();
            AioTest.AssertNow(5);
            Assert.Equal(100_000, b.Reader.BufferedCount);
        });
    }

    [Fact]
    public void DrainAsync_BelowTheHighWaterMark_ReturnsAtOnce()
    {
        AioTest.Run(async () =>
        {
            var (a, b) = MemoryStreamPair.Create();
            b.Transport.PauseReading();
            a.Writer.Write(new byte[1000]);
            await a.Writer.DrainAsync();
            Assert.Equal(1000, a.Transport.WriteBufferSize);
            b.Transport.ResumeReading();
            Assert.Equal(1000, (await b.Reader.ReadExactlyAsync(1000)).Length);
        });
    }

    [Fact]
    public void LargeTransfer_ArrivesIntact()
    {
        AioTest.Run(async () =>
        {
            var (a, b) = MemoryStreamPair.Create(limit: 16 * 1024);
            byte[] data = new byte[1 << 20];
            new Random(1).NextBytes(data);
            AioTask writer = Aio.CreateTask(async () =>
            {
                for (int i = 0; i < data.Length; i += 10_000)
                {
                    a.Writer.Write(data.AsSpan(i, Math.Min(10_000, data.Length - i)));
                    await a.Writer.DrainAsync();
                }

                a.Writer.WriteEof();
            });
            byte[] got = await b.Reader.ReadAsync();
            await writer;
            Assert.Equal(data, got);
        });
    }

    [Fact]
    public void AbortedByThePeerThenWritten_DrainRaisesIOException()
    {
        AioTest.Run(async () =>
        {
            var (a, b) = MemoryStreamPair.Create();
            b.Transport.Abort();
            Assert.Empty(await a.Reader.ReadAsync());   // EOF
            a.Writer.Write("into the void"u8);
            await Aio.Sleep(0);
            var e = await Assert.ThrowsAsync<IOException>(async () => await a.Writer.DrainAsync());
            Assert.StartsWith("Connection lost", e.Message, StringComparison.Ordinal);
            var closed = await Assert.ThrowsAsync<IOException>(async () => await a.Writer.WaitClosedAsync());
            Assert.StartsWith("The in-memory connection was lost: Broken pipe", closed.Message, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void GetExtraInfo_NamesBothEnds()
    {
        AioTest.Run(async () =>
        {
            var (a, b) = MemoryStreamPair.Create();
            Assert.Equal("memory:1", a.Writer.GetExtraInfo("sockname"));
            Assert.Equal("memory:1", b.Writer.GetExtraInfo("peername"));
            await Aio.Sleep(0);
        });
    }

    [Fact]
    public void Create_WithoutARunningLoop_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MemoryStreamPair.Create());
        Assert.StartsWith("MemoryStreamPair.Create needs a running event loop", e.Message, StringComparison.Ordinal);
    }

    private static async Coroutine Echo(AioStreamReader reader, MemoryStreamWriter writer)
    {
        while (true)
        {
            byte[] line = await reader.ReadLineAsync();
            if (line.Length == 0)
            {
                break;
            }

            await Aio.Sleep(0.1);
            writer.Write(Encoding.ASCII.GetBytes(Encoding.ASCII.GetString(line).ToUpperInvariant()));
            await writer.DrainAsync();
        }

        writer.Close();
    }
}
