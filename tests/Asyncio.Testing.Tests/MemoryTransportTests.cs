using System.Text;

namespace Asyncio.Testing.Tests;

/// <summary><see cref="MemoryTransport"/>: an in-memory byte-stream connection with the semantics of a loop-owned socket.</summary>
public class MemoryTransportTests
{
    [Fact]
    public void CreatePair_CallsConnectionMadeOnBothBeforeReturning()
    {
        AioTest.Run(async () =>
        {
            var a = new Recorder("a");
            var b = new Recorder("b");
            var (ta, tb) = MemoryTransport.CreatePair(a, b);
            Assert.Equal(["a made", "b made"], a.Log.Concat(b.Log));
            Assert.Same(ta, a.Transport);
            Assert.Same(tb, b.Transport);
            Assert.Same(tb, ta.Peer);
            Assert.Same(Aio.GetRunningLoop(), ta.Loop);
            Assert.Equal("memory:1", ta.GetExtraInfo("sockname"));
            Assert.Equal("memory:2", ta.GetExtraInfo("peername"));
            Assert.Null(ta.GetExtraInfo("socket"));
            await Aio.Sleep(0);
        });
    }

    [Fact]
    public void Write_DeliversOnALaterIteration_InOrder_AndCoalesced()
    {
        AioTest.Run(async () =>
        {
            var b = new Recorder("b");
            var (ta, _) = MemoryTransport.CreatePair(new Recorder("a"), b);
            ta.Write("hello "u8);
            ta.Write("world"u8);
            Assert.Equal(11, ta.WriteBufferSize);
            Assert.Equal(["b made"], b.Log);   // nothing inside Write
            await Aio.Sleep(0);
            Assert.Equal(["b made", "b data 'hello world'"], b.Log);
            Assert.Equal(0, ta.WriteBufferSize);
            AioTest.AssertNow(0);
        });
    }

    [Fact]
    public void Write_LargeData_ArrivesInChunksOfAtMost64KiB()
    {
        AioTest.Run(async () =>
        {
            var b = new Recorder("b");
            var (ta, _) = MemoryTransport.CreatePair(new Recorder("a"), b);
            byte[] data = Enumerable.Range(0, 200_000).Select(i => (byte)i).ToArray();
            ta.Write(data);
            await Aio.Sleep(0);
            Assert.Equal([65536, 65536, 65536, 3392], b.ChunkSizes);
            Assert.Equal(data, b.Received.ToArray());
        });
    }

    [Fact]
    public void PeerPausesReading_WriterIsPausedAboveHighWater_AndResumedWhenTheBufferDrains()
    {
        AioTest.Run(async () =>
        {
            var a = new Recorder("a");
            var b = new Recorder("b");
            var (ta, tb) = MemoryTransport.CreatePair(a, b);
            ta.SetWriteBufferLimits(high: 100);
            Assert.Equal((100, 25), ta.WriteBufferLimits);
            tb.PauseReading();
            Assert.False(tb.IsReading);
            ta.Write(new byte[60]);
            await Aio.Sleep(0);
            Assert.Equal(60, ta.WriteBufferSize);   // held back: the peer does not read
            ta.Write(new byte[60]);
            Assert.Equal(["a made", "a pause-writing"], a.Log);
            tb.ResumeReading();
            await Aio.Sleep(0);
            Assert.Equal(["a made", "a pause-writing", "a resume-writing"], a.Log);
            Assert.Equal(120, b.Received.Count);
        });
    }

    [Fact]
    public void WriteEof_PeerGetsEofAfterTheData_AndClosesWhenItsProtocolSaysSo()
    {
        AioTest.Run(async () =>
        {
            var a = new Recorder("a") { KeepOpenOnEof = true };
            var b = new Recorder("b");
            var (ta, tb) = MemoryTransport.CreatePair(a, b);
            ta.Write("x"u8);
            ta.WriteEof();
            Assert.True(ta.CanWriteEof);
            Assert.False(ta.IsClosing);
            var e = Assert.Throws<InvalidOperationException>(() => ta.Write("y"u8));
            Assert.StartsWith("Write after WriteEof", e.Message, StringComparison.Ordinal);
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.Equal(["b made", "b data 'x'", "b eof", "b lost null"], b.Log);   // b's protocol returned false: b closed
            Assert.True(tb.IsClosing);
            Assert.Equal(["a made", "a eof"], a.Log);                              // a keeps its (read) side
        });
    }

    [Fact]
    public void Close_SendsTheBufferThenEofThenLosesTheConnection()
    {
        AioTest.Run(async () =>
        {
            var a = new Recorder("a");
            var b = new Recorder("b") { KeepOpenOnEof = true };
            var (ta, _) = MemoryTransport.CreatePair(a, b);
            ta.Write("bye"u8);
            ta.Close();
            Assert.True(ta.IsClosing);
            Assert.False(ta.IsReading);
            ta.Write("dropped"u8);   // as asyncio: a write to a closing transport is dropped
            await Aio.Sleep(0);
            Assert.Equal(["b made", "b data 'bye'", "b eof"], b.Log);
            Assert.Equal(["a made", "a lost null"], a.Log);
        });
    }

    [Fact]
    public void Abort_DropsTheBuffer()
    {
        AioTest.Run(async () =>
        {
            var a = new Recorder("a");
            var b = new Recorder("b");
            var (ta, _) = MemoryTransport.CreatePair(a, b);
            ta.Write("never seen"u8);
            ta.Abort();
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.Equal(["a made", "a lost null"], a.Log);
            Assert.Equal(["b made", "b eof", "b lost null"], b.Log);
        });
    }

    [Fact]
    public void Write_ToAnEndWhoseConnectionIsLost_LosesThisEndWithABrokenPipe()
    {
        AioTest.Run(async () =>
        {
            var a = new Recorder("a") { KeepOpenOnEof = true };
            var b = new Recorder("b");
            var (ta, tb) = MemoryTransport.CreatePair(a, b);
            tb.Close();
            await Aio.Sleep(0);
            Assert.Equal(["b made", "b lost null"], b.Log);
            ta.Write("late"u8);
            await Aio.Sleep(0);
            Assert.Equal("a lost IOException: Broken pipe: memory:2, the other end of memory:1, is closed; 4 byte(s) written were not delivered.", a.Log[^1]);
        });
    }

    [Fact]
    public void BufferedProtocol_ReceivesIntoItsOwnBuffer()
    {
        AioTest.Run(async () =>
        {
            var b = new SmallBufferProtocol();
            var (ta, _) = MemoryTransport.CreatePair(new Recorder("a"), b);
            ta.Write("0123456789"u8);
            await Aio.Sleep(0);
            Assert.Equal("0123456789", Encoding.ASCII.GetString(b.Received.ToArray()));
            Assert.Equal([4, 4, 2], b.Updates);
        });
    }

    [Fact]
    public void BufferedProtocol_PausingReadingBetweenBuffers_LeavesTheRestWithTheWriter()
    {
        AioTest.Run(async () =>
        {
            var b = new SmallBufferProtocol { PauseAfter = 8 };
            var (ta, tb) = MemoryTransport.CreatePair(new Recorder("a"), b);
            b.Transport = tb;
            ta.Write("0123456789"u8);
            await Aio.Sleep(0);
            Assert.Equal("01234567", Encoding.ASCII.GetString(b.Received.ToArray()));
            Assert.Equal(2, ta.WriteBufferSize);
            tb.ResumeReading();
            await Aio.Sleep(0);
            Assert.Equal("0123456789", Encoding.ASCII.GetString(b.Received.ToArray()));
            Assert.Equal(0, ta.WriteBufferSize);
        });
    }

    [Fact]
    public void ProtocolThrowsInDataReceived_IsReportedAndItsEndAborted()
    {
        var e = Assert.Throws<UnhandledLoopErrorsException>(() => AioTest.Run(async () =>
        {
            var a = new Recorder("a");
            var b = new Recorder("b") { ThrowOnData = true };
            var (ta, tb) = MemoryTransport.CreatePair(a, b);
            ta.Write("x"u8);
            await Aio.Sleep(0);
            await Aio.Sleep(0);
            Assert.True(tb.IsClosing);
            Assert.Equal("b lost null", b.Log[^1]);
            Assert.Equal(["a made", "a eof", "a lost null"], a.Log);   // a got EOF from the aborted end and closed
        }));
        LoopExceptionContext report = Assert.Single(e.Reports);
        Assert.Equal("Fatal error: protocol.DataReceived() call failed.", report.Message);
        Assert.IsType<MemoryTransport>(report.Transport);
    }

    [Fact]
    public void Write_FromAnotherThread_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => AioTest.Run(async () =>
        {
            var (ta, _) = MemoryTransport.CreatePair(new Recorder("a"), new Recorder("b"));
            await Aio.ToThread(() => ta.Write("x"u8));
        }));
        Assert.StartsWith("MemoryTransport.Write was called from a thread that does not run its loop", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void SetWriteBufferLimits_LowAboveHigh_Throws()
    {
        AioTest.Run(async () =>
        {
            var (ta, _) = MemoryTransport.CreatePair(new Recorder("a"), new Recorder("b"));
            Assert.Throws<ArgumentOutOfRangeException>(() => ta.SetWriteBufferLimits(high: 10, low: 20));
            ta.SetWriteBufferLimits(low: 10);
            Assert.Equal((40, 10), ta.WriteBufferLimits);
            await Aio.Sleep(0);
        });
    }

    [Fact]
    public void CreatePair_WithoutARunningLoop_Throws()
    {
        var e = Assert.Throws<InvalidOperationException>(() => MemoryTransport.CreatePair(new Recorder("a"), new Recorder("b")));
        Assert.StartsWith("MemoryTransport.CreatePair needs a running event loop", e.Message, StringComparison.Ordinal);
    }

    private sealed class Recorder(string name) : Protocol
    {
        public List<string> Log { get; } = [];

        public List<byte> Received { get; } = [];

        public List<int> ChunkSizes { get; } = [];

        public Transport? Transport { get; private set; }

        public bool KeepOpenOnEof { get; init; }

        public bool ThrowOnData { get; init; }

        public override void ConnectionMade(Transport transport)
        {
            Transport = transport;
            Log.Add($"{name} made");
        }

        public override void DataReceived(ReadOnlySpan<byte> data)
        {
            if (ThrowOnData)
            {
                throw new InvalidOperationException("protocol bug");
            }

            ChunkSizes.Add(data.Length);
            Received.AddRange(data.ToArray());
            if (data.Length < 100)
            {
                Log.Add($"{name} data '{Encoding.ASCII.GetString(data)}'");
            }
        }

        public override bool EofReceived()
        {
            Log.Add($"{name} eof");
            return KeepOpenOnEof;
        }

        public override void ConnectionLost(Exception? error) =>
            Log.Add($"{name} lost {(error is null ? "null" : $"{error.GetType().Name}: {error.Message}")}");

        public override void PauseWriting() => Log.Add($"{name} pause-writing");

        public override void ResumeWriting() => Log.Add($"{name} resume-writing");
    }

    private sealed class SmallBufferProtocol : BufferedProtocol
    {
        private readonly byte[] _buffer = new byte[4];

        public List<byte> Received { get; } = [];

        public List<int> Updates { get; } = [];

        public int PauseAfter { get; init; } = int.MaxValue;

        public Transport? Transport { get; set; }

        public override Memory<byte> GetBuffer(int sizeHint) => _buffer;

        public override void BufferUpdated(int bytesRead)
        {
            Updates.Add(bytesRead);
            Received.AddRange(_buffer.AsSpan(0, bytesRead).ToArray());
            if (Received.Count >= PauseAfter && Transport is { IsReading: true } transport)
            {
                transport.PauseReading();
            }
        }
    }
}
