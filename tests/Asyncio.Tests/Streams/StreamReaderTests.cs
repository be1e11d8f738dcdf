using System.Text;
using static Asyncio.Tests.SyncTestKit;

namespace Asyncio.Tests.Streams;

/// <summary>
/// Ports of the socket-free <c>StreamReader</c> tests of CPython's <c>Lib/test/test_asyncio/test_streams.py</c>
/// (class <c>StreamTests</c>) to <see cref="AioStreamReader"/>: data comes from <c>FeedData</c>/<c>FeedEof</c>/
/// <c>SetException</c>, fed from <c>CallSoon</c> or another task as CPython does with <c>loop.call_soon</c>, on a
/// virtual-time FIFO loop.
/// </summary>
/// <remarks>
/// <para>Name and type map (by design, .NET naming):</para>
/// <list type="bullet">
/// <item><c>stream._buffer</c> is not public: a test checks <see cref="AioStreamReader.BufferedCount"/> and reads the
/// rest out (<see cref="TakeRest"/>) at the point where CPython compares the buffer.</item>
/// <item><c>ValueError</c> from <c>readline()</c> (line over the limit) is <see cref="ArgumentException"/>, with the
/// <see cref="LimitOverrunError"/> as its inner exception; <c>ValueError</c> for an empty separator (list) is
/// <see cref="ArgumentException"/>; for <c>limit &lt;= 0</c> and <c>readexactly(-1)</c> it is
/// <see cref="ArgumentOutOfRangeException"/>.</item>
/// <item><c>RuntimeError</c> (two tasks waiting for data at once) is <see cref="InvalidOperationException"/>; so is
/// <c>feed_data</c> after <c>feed_eof</c> (an <c>AssertionError</c> in CPython).</item>
/// <item><c>IncompleteReadError</c>, <c>LimitOverrunError</c>: same names, same messages; <c>partial</c>,
/// <c>expected</c>, <c>consumed</c> are <c>Partial</c>, <c>Expected</c>, <c>Consumed</c>.</item>
/// <item>A separator tuple is an <see cref="IReadOnlyList{T}"/> of <c>byte[]</c>.</item>
/// </list>
/// <para>
/// Not ported: the <c>_pickleable</c> tests (no pickling in .NET); the <c>StreamReaderProtocol</c>, writer and socket
/// tests (<see cref="StreamEchoTests"/>, the server tests); <c>test___repr__waiter</c> and <c>test___repr__transport</c>
/// (our <c>ToString</c> shows neither a waiter nor the transport).
/// </para>
/// </remarks>
public sealed class StreamReaderTests
{
    // CPython: StreamTests.DATA
    private static readonly byte[] Data = "line1\nline2\nline3\n"u8.ToArray();

    private static string S(byte[] bytes) => Encoding.ASCII.GetString(bytes);

    /// <summary>CPython's <c>stream._buffer</c>, read out: returns what is buffered and leaves the reader empty.</summary>
    private static async Coroutine<string> TakeRest(AioStreamReader stream)
    {
        int n = stream.BufferedCount;
        if (n == 0)
        {
            return "";
        }

        byte[] rest = await stream.ReadAsync(n);
        Assert.Equal(n, rest.Length);
        Assert.Equal(0, stream.BufferedCount);
        return S(rest);
    }

    private static void CallSoon(Action callback) => Aio.GetRunningLoop().CallSoon(callback);

    // ------------------------------------------------------------------ feeding

    // CPython: test_streams.py StreamTests.test_feed_empty_data
    [Fact]
    public void FeedData_Empty_BuffersNothing()
    {
        var stream = new AioStreamReader();
        stream.FeedData(ReadOnlySpan<byte>.Empty);
        Assert.Equal(0, stream.BufferedCount);
        Assert.False(stream.AtEof);
    }

    // CPython: test_streams.py StreamTests.test_feed_nonempty_data
    [Fact]
    public void FeedData_NonEmpty_BuffersIt()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData(Data);
            Assert.Equal(Data.Length, stream.BufferedCount);
            Assert.Equal(S(Data), await TakeRest(stream));
        });
    }

    // Not in test_streams.py: feed_data after feed_eof is an assert in CPython's streams.py.
    [Fact]
    public void FeedData_AfterFeedEof_ThrowsInvalidOperation()
    {
        var stream = new AioStreamReader();
        stream.FeedEof();
        var e = Assert.Throws<InvalidOperationException>(() => stream.FeedData("x"u8));
        Assert.Equal("FeedData after FeedEof: the stream already ended.", e.Message);
        Assert.Throws<InvalidOperationException>(() => stream.FeedData(ReadOnlySpan<byte>.Empty));   // CPython: the assert comes first too
    }

    // CPython: test_streams.py StreamTests.test_streamreader_constructor_without_loop raises "no current event loop".
    // Deliberate difference: AioStreamReader binds to a loop only when a read first waits, so it can be made and fed
    // before any loop runs (CPython's own tests feed readers before run_until_complete).
    [Fact]
    public void Constructor_WithoutALoop_Works_AndTheReaderIsUsableInALoopLater()
    {
        var stream = new AioStreamReader();
        stream.FeedData("abc\n"u8);
        RunAio(async () => Assert.Equal("abc\n", S(await stream.ReadLineAsync())));
    }

    // ------------------------------------------------------------------ read(n)

    // CPython: test_streams.py StreamTests.test_read_zero
    [Fact]
    public void ReadAsync_Zero_ReturnsEmpty_BufferUntouched()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData(Data);
            Assert.Empty(await stream.ReadAsync(0));
            Assert.Equal(0, await stream.ReadAsync(Memory<byte>.Empty));
            Assert.Equal(S(Data), await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_read
    [Fact]
    public void ReadAsync_WaitsForData_ReturnsWhatWasFed()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadAsync(30));
            CallSoon(() => stream.FeedData(Data));
            Assert.Equal(Data, await readTask);
            Assert.Equal("", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_read, the Memory<byte> overload.
    [Fact]
    public void ReadAsyncMemory_WaitsForData_CopiesWhatWasFed()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var buffer = new byte[30];
            AioTask<int> readTask = Aio.CreateTask(stream.ReadAsync(buffer).AsCoroutine());
            CallSoon(() => stream.FeedData(Data));
            Assert.Equal(Data.Length, await readTask);
            Assert.Equal(Data, buffer[..Data.Length]);
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_read_line_breaks
    [Fact]
    public void ReadAsync_TwoChunks_ReadsAcrossNoLineBreakLogic()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("line1"u8);
            stream.FeedData("line2"u8);
            Assert.Equal("line1", S(await stream.ReadAsync(5)));
            Assert.Equal("line2", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_read_eof
    [Fact]
    public void ReadAsync_Eof_ReturnsEmpty()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadAsync(1024));
            CallSoon(stream.FeedEof);
            Assert.Empty(await readTask);
            Assert.Equal(0, stream.BufferedCount);
            Assert.True(stream.AtEof);
        });
    }

    // CPython: test_streams.py StreamTests.test_read_until_eof
    [Fact]
    public void ReadAsync_MinusOne_ReadsUntilEof()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadAsync(-1));
            CallSoon(() =>
            {
                stream.FeedData("chunk1\n"u8);
                stream.FeedData("chunk2"u8);
                stream.FeedEof();
            });
            Assert.Equal("chunk1\nchunk2", S(await readTask));
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_read_until_eof, fed over several iterations and past the limit (read(-1)
    // reads blocks of at most `limit` bytes until EOF).
    [Fact]
    public void ReadAsync_MinusOne_ManyChunksOverSeveralIterations_ReadsEverything()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader(limit: 4);
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadAsync(-1));
            for (int i = 0; i < 5; i++)
            {
                await Yield();
                stream.FeedData("0123456789"u8);
            }

            stream.FeedEof();
            Assert.Equal(string.Concat(Enumerable.Repeat("0123456789", 5)), S(await readTask));
        });
    }

    // CPython: test_streams.py StreamTests.test_read_exception
    [Fact]
    public void ReadAsync_AfterSetException_ThrowsIt_EvenWithDataBuffered()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("line\n"u8);
            Assert.Equal("li", S(await stream.ReadAsync(2)));

            var error = new InvalidDataException();
            stream.SetException(error);
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await stream.ReadAsync(2)));
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await stream.ReadAsync(new byte[2])));
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await stream.ReadAsync(new byte[2]).AsCoroutine()));
        });
    }

    // CPython: test_streams.py StreamTests.test_invalid_limit
    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void Constructor_LimitNotPositive_ThrowsArgumentOutOfRange(int limit)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => new AioStreamReader(limit));
        Assert.Contains("imit", e.Message);
        Assert.Equal("limit", e.ParamName);
    }

    // CPython: test_streams.py StreamTests.test_read_limit
    [Fact]
    public void ReadAsync_MoreThanLimit_NotLimited()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader(limit: 3);
            Assert.Equal(3, stream.Limit);
            stream.FeedData("chunk"u8);
            Assert.Equal("chunk", S(await stream.ReadAsync(5)));
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // ------------------------------------------------------------------ readline

    // CPython: test_streams.py StreamTests.test_readline
    [Fact]
    public void ReadLineAsync_LineFedInChunks_WaitsForTheNewline()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("chunk1 "u8);
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadLineAsync());
            CallSoon(() =>
            {
                stream.FeedData("chunk2 "u8);
                stream.FeedData("chunk3 "u8);
                stream.FeedData("\n chunk4"u8);
            });
            Assert.Equal("chunk1 chunk2 chunk3 \n", S(await readTask));
            Assert.Equal(" chunk4", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readline_limit_with_existing_data
    [Fact]
    public void ReadLineAsync_OverLimitWithDataBuffered_ThrowsAndDropsTheLine()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader(limit: 3);
            stream.FeedData("li"u8);
            stream.FeedData("ne1\nline2\n"u8);
            var e = await ThrowsAsync<ArgumentException>(async () => await stream.ReadLineAsync());
            Assert.Equal("Separator is found, but chunk is longer than limit", e.Message);
            Assert.Equal(5, Assert.IsType<LimitOverrunError>(e.InnerException).Consumed);   // the newline's index
            // The buffer should contain the remaining data after exception
            Assert.Equal("line2\n", await TakeRest(stream));

            stream = new AioStreamReader(limit: 3);
            stream.FeedData("li"u8);
            stream.FeedData("ne1"u8);
            stream.FeedData("li"u8);
            e = await ThrowsAsync<ArgumentException>(async () => await stream.ReadLineAsync());
            Assert.Equal("Separator is not found, and chunk exceed the limit", e.Message);
            // No newline and over the limit: readline drops the whole buffer before it would wait.
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_at_eof
    [Fact]
    public void AtEof_OnlyAfterFeedEofAndEverythingRead()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            Assert.False(stream.AtEof);

            stream.FeedData("some data\n"u8);
            Assert.False(stream.AtEof);

            await stream.ReadLineAsync();
            Assert.False(stream.AtEof);

            stream.FeedData("some data\n"u8);
            stream.FeedEof();
            Assert.False(stream.AtEof);   // EOF fed, data still buffered
            await stream.ReadLineAsync();
            Assert.True(stream.AtEof);
        });
    }

    // CPython: test_streams.py StreamTests.test_readline_limit
    [Fact]
    public void ReadLineAsync_OverLimit_FedAfterTheCall_ThrowsAndDropsTheLine()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader(limit: 7);
            CallSoon(() =>
            {
                stream.FeedData("chunk1"u8);
                stream.FeedData("chunk2"u8);
                stream.FeedData("chunk3\n"u8);
                stream.FeedEof();
            });
            await ThrowsAsync<ArgumentException>(async () => await stream.ReadLineAsync());
            // The buffer had just one line of data, and after the error it should be empty.
            Assert.Equal(0, stream.BufferedCount);

            var stream2 = new AioStreamReader(limit: 7);
            CallSoon(() =>
            {
                stream2.FeedData("chunk1"u8);
                stream2.FeedData("chunk2\n"u8);
                stream2.FeedData("chunk3\n"u8);
                stream2.FeedEof();
            });
            await ThrowsAsync<ArgumentException>(async () => await stream2.ReadLineAsync());
            Assert.Equal("chunk3\n", await TakeRest(stream2));

            // check strictness of the limit
            var stream3 = new AioStreamReader(limit: 7);
            stream3.FeedData("1234567\n"u8);
            Assert.Equal("1234567\n", S(await stream3.ReadLineAsync()));
            Assert.Equal(0, stream3.BufferedCount);

            stream3.FeedData("12345678\n"u8);
            await ThrowsAsync<ArgumentException>(async () => await stream3.ReadLineAsync());
            Assert.Equal(0, stream3.BufferedCount);

            stream3.FeedData("12345678"u8);
            await ThrowsAsync<ArgumentException>(async () => await stream3.ReadLineAsync());
            Assert.Equal(0, stream3.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_readline_nolimit_nowait
    [Fact]
    public void ReadLineAsync_LineBuffered_ReturnsAtOnce()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData(Data.AsSpan(0, 6));
            stream.FeedData(Data.AsSpan(6));
            Assert.Equal("line1\n", S(await stream.ReadLineAsync()));
            Assert.Equal("line2\nline3\n", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readline_eof
    [Fact]
    public void ReadLineAsync_Eof_ReturnsThePartialLine()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("some data"u8);
            stream.FeedEof();
            Assert.Equal("some data", S(await stream.ReadLineAsync()));
        });
    }

    // CPython: test_streams.py StreamTests.test_readline_empty_eof
    [Fact]
    public void ReadLineAsync_EmptyEof_ReturnsEmpty()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedEof();
            Assert.Empty(await stream.ReadLineAsync());
        });
    }

    // CPython: test_streams.py StreamTests.test_readline_read_byte_count
    [Fact]
    public void ReadLineAsync_ThenReadAsync_ContinuesAfterTheLine()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData(Data);
            await stream.ReadLineAsync();
            Assert.Equal("line2\nl", S(await stream.ReadAsync(7)));
            Assert.Equal("ine3\n", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readline_exception
    [Fact]
    public void ReadLineAsync_AfterSetException_ThrowsIt()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("line\n"u8);
            Assert.Equal("line\n", S(await stream.ReadLineAsync()));

            var error = new InvalidDataException();
            stream.SetException(error);
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await stream.ReadLineAsync()));
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // ------------------------------------------------------------------ readuntil

    // CPython: test_streams.py StreamTests.test_readuntil_separator
    [Fact]
    public void ReadUntilAsync_EmptySeparatorOrNone_ThrowsArgumentException()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var e = await ThrowsAsync<ArgumentException>(async () => await stream.ReadUntilAsync(Array.Empty<byte>()));
            Assert.StartsWith("Separator should be at least one-byte string.", e.Message);
            e = await ThrowsAsync<ArgumentException>(async () => await stream.ReadUntilAsync(new[] { Array.Empty<byte>() }));
            Assert.StartsWith("Separator should be at least one-byte string.", e.Message);
            e = await ThrowsAsync<ArgumentException>(async () => await stream.ReadUntilAsync(Array.Empty<byte[]>()));
            Assert.StartsWith("Separator should contain at least one element.", e.Message);
            Assert.Equal("separators", e.ParamName);
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_multi_chunks
    [Fact]
    public void ReadUntilAsync_SeparatorAtTheEnd_OrFollowedByData()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();

            stream.FeedData("lineAAA"u8);
            Assert.Equal("lineAAA", S(await stream.ReadUntilAsync("AAA"u8.ToArray())));
            Assert.Equal(0, stream.BufferedCount);

            stream.FeedData("lineAAA"u8);
            Assert.Equal("lineAAA", S(await stream.ReadUntilAsync("AAA"u8.ToArray())));
            Assert.Equal(0, stream.BufferedCount);

            stream.FeedData("lineAAAxxx"u8);
            Assert.Equal("lineAAA", S(await stream.ReadUntilAsync("AAA"u8.ToArray())));
            Assert.Equal("xxx", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_multi_chunks_1
    [Fact]
    public void ReadUntilAsync_SeparatorSplitAcrossChunks_Found()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            byte[] aaa = "aaa"u8.ToArray();

            stream.FeedData("QWEaa"u8);
            stream.FeedData("XYaa"u8);
            stream.FeedData("a"u8);
            Assert.Equal("QWEaaXYaaa", S(await stream.ReadUntilAsync(aaa)));
            Assert.Equal(0, stream.BufferedCount);

            stream.FeedData("QWEaa"u8);
            stream.FeedData("XYa"u8);
            stream.FeedData("aa"u8);
            Assert.Equal("QWEaaXYaaa", S(await stream.ReadUntilAsync(aaa)));
            Assert.Equal(0, stream.BufferedCount);

            stream.FeedData("aaa"u8);
            Assert.Equal("aaa", S(await stream.ReadUntilAsync(aaa)));
            Assert.Equal(0, stream.BufferedCount);

            stream.FeedData("Xaaa"u8);
            Assert.Equal("Xaaa", S(await stream.ReadUntilAsync(aaa)));
            Assert.Equal(0, stream.BufferedCount);

            stream.FeedData("XXX"u8);
            stream.FeedData("a"u8);
            stream.FeedData("a"u8);
            stream.FeedData("a"u8);
            Assert.Equal("XXXaaa", S(await stream.ReadUntilAsync(aaa)));
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_multi_chunks_1, with the chunks fed one iteration apart while
    // the read waits (the separator's bytes arrive in three different wake-ups).
    [Fact]
    public void ReadUntilAsync_SeparatorArrivesByteByByte_WhileWaiting_Found()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadUntilAsync("aaa"u8.ToArray()));
            foreach (string chunk in new[] { "XXX", "a", "a" })
            {
                await Yield();
                Assert.False(readTask.IsDone);
                stream.FeedData(Encoding.ASCII.GetBytes(chunk));
            }

            stream.FeedData("atail"u8);
            Assert.Equal("XXXaaa", S(await readTask));
            Assert.Equal("tail", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_eof
    [Fact]
    public void ReadUntilAsync_EofBeforeSeparator_ThrowsIncompleteReadWithEverything()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("some dataAA"u8);
            stream.FeedEof();
            var e = await ThrowsAsync<IncompleteReadError>(async () => await stream.ReadUntilAsync("AAA"u8.ToArray()));
            Assert.Contains("undefined expected bytes", e.Message);
            Assert.Equal("11 bytes read on a total of undefined expected bytes", e.Message);
            Assert.Equal("some dataAA", S(e.Partial));
            Assert.Null(e.Expected);
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_limit_found_sep
    [Fact]
    public void ReadUntilAsync_OverLimit_ThrowsLimitOverrun_DataStays()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader(limit: 3);
            stream.FeedData("some dataAA"u8);
            var e = await ThrowsAsync<LimitOverrunError>(async () => await stream.ReadUntilAsync("AAA"u8.ToArray()));
            Assert.Contains("not found", e.Message);
            Assert.Equal("Separator is not found, and chunk exceed the limit", e.Message);
            Assert.Equal(9, e.Consumed);
            Assert.Equal(11, stream.BufferedCount);   // "some dataAA" stays

            stream.FeedData("A"u8);
            e = await ThrowsAsync<LimitOverrunError>(async () => await stream.ReadUntilAsync("AAA"u8.ToArray()));
            Assert.Contains("is found", e.Message);
            Assert.Equal("Separator is found, but chunk is longer than limit", e.Message);
            Assert.Equal(9, e.Consumed);
            Assert.Equal("some dataAAA", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_multi_separator
    [Fact]
    public void ReadUntilAsync_SeveralSeparators_FirstEndPositionWins()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            byte[][] crOrLf = ["\r"u8.ToArray(), "\n"u8.ToArray()];

            // Simple case
            stream.FeedData("line 1\nline 2\r"u8);
            Assert.Equal("line 1\n", S(await stream.ReadUntilAsync(crOrLf)));
            Assert.Equal("line 2\r", S(await stream.ReadUntilAsync(crOrLf)));
            Assert.Equal(0, stream.BufferedCount);

            // First end position matches, even if that's a longer match
            stream.FeedData("ABCDEFG"u8);
            Assert.Equal("ABCDE", S(await stream.ReadUntilAsync(["DEF"u8.ToArray(), "BCDE"u8.ToArray()])));
            Assert.Equal("FG", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_multi_separator_limit
    [Fact]
    public void ReadUntilAsync_SeveralSeparators_ShortestMatchIsCheckedAgainstTheLimit()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader(limit: 3);
            stream.FeedData("some dataA"u8);
            var e = await ThrowsAsync<LimitOverrunError>(async () => await stream.ReadUntilAsync(["A"u8.ToArray(), "ome dataA"u8.ToArray()]));
            Assert.Contains("is found", e.Message);
            Assert.Equal(9, e.Consumed);
            Assert.Equal("some dataA", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_multi_separator_negative_offset
    [Fact]
    public void ReadUntilAsync_BufferShorterThanTheLongestSeparator_OffsetStaysNonNegative()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("data"u8);
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadUntilAsync(["A"u8.ToArray(), "long sep"u8.ToArray()]));
            CallSoon(() => stream.FeedData("Z"u8));
            CallSoon(() => stream.FeedData("Aaaa"u8));
            Assert.Equal("dataZA", S(await readTask));
            Assert.Equal("aaa", await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readuntil_bytearray (another separator type: here a list of one
    // separator and a separator that is a copy, not the caller's array).
    [Fact]
    public void ReadUntilAsync_OneSeparatorAsAList_SameAsTheArrayOverload()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("some data\r\n"u8);
            Assert.Equal("some data\r\n", S(await stream.ReadUntilAsync(new List<byte[]> { "\r\n"u8.ToArray() })));
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // ------------------------------------------------------------------ readexactly

    // CPython: test_streams.py StreamTests.test_readexactly_zero_or_less
    [Fact]
    public void ReadExactlyAsync_ZeroOrNegative_EmptyOrThrows_BufferUntouched()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData(Data);

            Assert.Empty(await stream.ReadExactlyAsync(0));
            await stream.ReadExactlyAsync(Memory<byte>.Empty);
            Assert.Equal(Data.Length, stream.BufferedCount);

            var e = await ThrowsAsync<ArgumentOutOfRangeException>(async () => await stream.ReadExactlyAsync(-1));
            Assert.Contains("less than zero", e.Message);
            Assert.Equal("n", e.ParamName);
            Assert.Equal(S(Data), await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readexactly
    [Fact]
    public void ReadExactlyAsync_WaitsUntilEnough_LeavesTheRest()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            int n = 2 * Data.Length;
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadExactlyAsync(n));
            CallSoon(() =>
            {
                stream.FeedData(Data);
                stream.FeedData(Data);
                stream.FeedData(Data);
            });
            byte[] got = await readTask;
            Assert.Equal(Data.Concat(Data).ToArray(), got);
            Assert.Equal(S(Data), await TakeRest(stream));
        });
    }

    // CPython: test_streams.py StreamTests.test_readexactly, the Memory<byte> overload, fed over several iterations.
    [Fact]
    public void ReadExactlyAsyncMemory_FedInPieces_FillsTheDestination()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var buffer = new byte[2 * Data.Length];
            AioTask readTask = Aio.CreateTask(ReadInto());
            for (int i = 0; i < 3; i++)
            {
                await Yield();
                stream.FeedData(Data);
            }

            await readTask;
            Assert.Equal(Data.Concat(Data).ToArray(), buffer);
            Assert.Equal(S(Data), await TakeRest(stream));

            async Coroutine ReadInto() => await stream.ReadExactlyAsync(buffer);
        });
    }

    // CPython: test_streams.py StreamTests.test_readexactly_limit
    [Fact]
    public void ReadExactlyAsync_MoreThanLimit_NotLimited()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader(limit: 3);
            stream.FeedData("chunk"u8);
            Assert.Equal("chunk", S(await stream.ReadExactlyAsync(5)));
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_readexactly_eof
    [Fact]
    public void ReadExactlyAsync_EofFirst_ThrowsIncompleteRead()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            int n = 2 * Data.Length;
            AioTask<byte[]> readTask = Aio.CreateTask(stream.ReadExactlyAsync(n));
            CallSoon(() =>
            {
                stream.FeedData(Data);
                stream.FeedEof();
            });
            var e = await ThrowsAsync<IncompleteReadError>(async () => await readTask);
            Assert.Equal(Data, e.Partial);
            Assert.Equal(n, e.Expected);
            Assert.Equal("18 bytes read on a total of 36 expected bytes", e.Message);
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_readexactly_eof, the Memory<byte> overload.
    [Fact]
    public void ReadExactlyAsyncMemory_EofFirst_ThrowsIncompleteRead()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData(Data);
            stream.FeedEof();
            var e = await ThrowsAsync<IncompleteReadError>(async () => await stream.ReadExactlyAsync(new byte[2 * Data.Length]));
            Assert.Equal(Data, e.Partial);
            Assert.Equal(2 * Data.Length, e.Expected);
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    // CPython: test_streams.py StreamTests.test_readexactly_exception
    [Fact]
    public void ReadExactlyAsync_AfterSetException_ThrowsIt()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("line\n"u8);
            Assert.Equal("li", S(await stream.ReadExactlyAsync(2)));

            var error = new InvalidDataException();
            stream.SetException(error);
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await stream.ReadExactlyAsync(2)));
        });
    }

    // CPython: test_streams.py StreamTests.test_readexactly_exception, the Memory<byte> overload, awaited directly and
    // as a coroutine: both throw the stored error although the bytes are buffered. Bug fixed: AsCoroutine() skipped the
    // check and returned the buffered bytes.
    [Fact]
    public void ReadExactlyAsyncMemory_AfterSetException_ThrowsIt_AwaitedOrAsCoroutine()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("line\n"u8);
            var error = new InvalidDataException();
            stream.SetException(error);
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await stream.ReadExactlyAsync(new byte[2])));
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await stream.ReadExactlyAsync(new byte[2]).AsCoroutine()));
            Assert.Equal(5, stream.BufferedCount);
        });
    }

    // ------------------------------------------------------------------ exception

    // CPython: test_streams.py StreamTests.test_exception
    [Fact]
    public void Exception_NullUntilSetException_ThenThatError()
    {
        var stream = new AioStreamReader();
        Assert.Null(stream.Exception);
        var error = new InvalidDataException();
        stream.SetException(error);
        Assert.Same(error, stream.Exception);
        Assert.Throws<ArgumentNullException>(() => stream.SetException(null!));
    }

    // CPython: test_streams.py StreamTests.test_exception_waiter
    [Fact]
    public void SetException_FromAnotherTask_WakesTheWaitingReadWithIt()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var error = new InvalidDataException();
            AioTask<byte[]> t1 = Aio.CreateTask(stream.ReadLineAsync());
            AioTask t2 = Aio.CreateTask(SetErr());
            await Aio.Wait(new AioTask[] { t1, t2 });
            Assert.True(t2.IsCompletedSuccessfully);
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await t1));

            async Coroutine SetErr() => stream.SetException(error);
        });
    }

    // CPython: test_streams.py StreamTests.test_exception_cancel: a read cancelled while it waits leaves no waiter
    // behind (CPython: stream._waiter is None), so SetException afterwards reports nothing and a new read may wait.
    [Fact]
    public void SetException_AfterTheWaitingReadWasCancelled_NoWaiterLeft()
    {
        RunAio(async () =>
        {
            var reports = new List<LoopExceptionContext>();
            Aio.GetRunningLoop().SetExceptionHandler((_, ctx) => reports.Add(ctx));
            var stream = new AioStreamReader();

            AioTask<byte[]> t = Aio.CreateTask(stream.ReadLineAsync());
            await Yield();
            t.Cancel();
            await Yield();
            Assert.True(t.IsCancelled);

            // Not "another task is already waiting": the cancelled read left the wait queue.
            AioTask<byte[]> t2 = Aio.CreateTask(stream.ReadLineAsync());
            await Yield();
            Assert.False(t2.IsDone);

            var error = new InvalidOperationException("message");
            stream.SetException(error);
            await Yield();
            Assert.Same(error, await ThrowsAsync<InvalidOperationException>(async () => await t2));
            Assert.Empty(reports);
        });
    }

    // Not a test in test_streams.py: streams.py _wait_for_data raises RuntimeError "readline() called while another
    // coroutine is already waiting for incoming data".
    [Fact]
    public void ReadAsync_WhileAnotherTaskWaits_ThrowsInvalidOperation()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<byte[]> first = Aio.CreateTask(stream.ReadLineAsync());
            await Yield();
            var e = await ThrowsAsync<InvalidOperationException>(async () => await stream.ReadAsync(1));
            Assert.Equal(
                "ReadAsync() called while another task is already waiting for incoming data on this reader. Read a stream from one task at a time.",
                e.Message);
            e = await ThrowsAsync<InvalidOperationException>(async () => await stream.ReadUntilAsync("x"u8.ToArray()));
            Assert.StartsWith("ReadUntilAsync() called while another task", e.Message);
            e = await ThrowsAsync<InvalidOperationException>(async () => await stream.ReadExactlyAsync(1));
            Assert.StartsWith("ReadExactlyAsync() called while another task", e.Message);

            stream.FeedData("ok\n"u8);
            Assert.Equal("ok\n", S(await first));
        });
    }

    // Not in test_streams.py (CPython's read() would return b"" here, as if at EOF): a read woken by data that another
    // reader took before it ran keeps waiting, and returns the next data, never 0 before the end of the stream.
    [Fact]
    public void ReadAsyncMemory_WokenForDataAnotherReadTookFirst_KeepsWaiting()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var buffer = new byte[100];
            AioTask<int> waiting = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            stream.FeedData("one"u8);
            Assert.Equal(3, await stream.ReadAsync(new byte[100]));   // this task takes it before the woken read runs
            await Yield(3);
            Assert.False(waiting.IsDone);
            stream.FeedData("two"u8);
            Assert.Equal(3, await waiting);
            Assert.Equal("two", S(buffer[..3]));
        });
    }

    // The same for a read awaited by plain .NET async code (a foreign await of the reader's awaitable).
    [Fact]
    public void ReadAsyncMemory_FromDotNetAsyncCode_WokenForDataAnotherReadTookFirst_KeepsWaiting()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var buffer = new byte[100];
            AioTask<int> waiting = Aio.CreateTask(async Task<int> () => await stream.ReadAsync(buffer));
            await Yield();
            stream.FeedData("one"u8);
            Assert.Equal(3, await stream.ReadAsync(new byte[100]));
            await Yield(3);
            Assert.False(waiting.IsDone);
            stream.FeedData("two"u8);
            Assert.Equal(3, await waiting);
            Assert.Equal("two", S(buffer[..3]));

            // and EOF still ends it with 0
            AioTask<int> atEof = Aio.CreateTask(async Task<int> () => await stream.ReadAsync(buffer));
            await Yield();
            stream.FeedEof();
            Assert.Equal(0, await atEof);
        });
    }

    // The same for the other reads, which wait in the same queue.
    [Fact]
    public void ReadLineAsync_WokenForDataAnotherReadTookFirst_KeepsWaiting()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<byte[]> waiting = Aio.CreateTask(stream.ReadLineAsync());
            await Yield();
            stream.FeedData("x\n"u8);
            Assert.Equal("x\n", S(await stream.ReadAsync(100)));
            await Yield(3);
            Assert.False(waiting.IsDone);
            stream.FeedData("y\n"u8);
            Assert.Equal("y\n", S(await waiting));
        });
    }

    // What reports (ToString, aio ps, deadlock reports) say about a task waiting for data.
    [Fact]
    public void ReadAsyncMemory_Waiting_TaskSaysItWaitsForData()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(new byte[10]), name: "reader");
            await Yield();
            Assert.Contains("waits in AioStreamReader.WaitForData (1 waiting)", t.ToString(), StringComparison.Ordinal);
            stream.FeedEof();
            Assert.Equal(0, await t);
        });
    }

    // A waiting ReadAsync(Memory) whose task is cancelled: nothing is read, and the next read gets the data.
    [Fact]
    public void ReadAsyncMemory_CancelledWhileWaiting_NextReadGetsTheData()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var buffer = new byte[100];
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            t.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t);
            stream.FeedData("data"u8);
            Assert.Equal(4, await stream.ReadAsync(buffer));
            Assert.Equal("data", S(buffer[..4]));
        });
    }

    // ------------------------------------------------------------------ direct delivery

    // A transport that fills the buffer at once (the socket and pipe transports) receives straight into the destination
    // of a task parked in ReadAsync(Memory) on an empty buffer; these drive the protocol as such a transport does.

    private static StreamProtocol Protocol(AioStreamReader reader) => new(Aio.GetRunningLoop(), reader, null);

    /// <summary>One receive as a transport makes it: up to the buffer's length; returns how many bytes went in.</summary>
    private static int Receive(StreamProtocol protocol, ReadOnlySpan<byte> data, int sizeHint = -1)
    {
        Memory<byte> buffer = protocol.GetBufferFilledAtOnce(sizeHint);
        int n = Math.Min(buffer.Length, data.Length);
        data[..n].CopyTo(buffer.Span);
        protocol.BufferUpdated(n);
        return n;
    }

    private static bool IsIn(Memory<byte> memory, byte[] array) =>
        System.Runtime.InteropServices.MemoryMarshal.TryGetArray<byte>(memory, out var segment) && ReferenceEquals(segment.Array, array);

    [Fact]
    public void ReadAsyncMemory_DirectDelivery_ReturnsTheBytesWithoutBuffering()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var protocol = Protocol(stream);
            var buffer = new byte[100];
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Memory<byte> space = protocol.GetBufferFilledAtOnce(-1);
            Assert.True(IsIn(space, buffer));
            "hello"u8.CopyTo(space.Span);
            protocol.BufferUpdated(5);
            Assert.Equal(0, stream.BufferedCount);
            Assert.Equal(5, await t);
            Assert.Equal("hello", S(buffer[..5]));

            // the next wait lends its destination again
            AioTask<int> t2 = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Assert.True(IsIn(protocol.GetBufferFilledAtOnce(-1), buffer));
            Assert.Equal(2, Receive(protocol, "ab"u8));
            Assert.Equal(2, await t2);
            Assert.Equal("ab", S(buffer[..2]));
        });
    }

    // GetBuffer (TLS keeps the buffer across an await) and a read that did not park never lend the destination.
    [Fact]
    public void ReadAsyncMemory_GetBufferOrNoParkedRead_NeverDirect()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var protocol = Protocol(stream);
            var buffer = new byte[100];
            Assert.False(IsIn(protocol.GetBufferFilledAtOnce(-1), buffer));
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Memory<byte> space = protocol.GetBuffer(-1);
            Assert.False(IsIn(space, buffer));
            "abc"u8.CopyTo(space.Span);
            protocol.BufferUpdated(3);
            Assert.Equal(3, stream.BufferedCount);
            Assert.Equal(3, await t);
            Assert.Equal("abc", S(buffer[..3]));
        });
    }

    [Fact]
    public void ReadAsyncMemory_DirectDelivery_SecondChunkInTheSameIterationLandsBehindTheFirst()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var protocol = Protocol(stream);
            var buffer = new byte[100];
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Assert.Equal(5, Receive(protocol, "first"u8));
            Memory<byte> second = protocol.GetBufferFilledAtOnce(-1);
            Assert.False(IsIn(second, buffer));   // one direct delivery per wait
            "second"u8.CopyTo(second.Span);
            protocol.BufferUpdated(6);
            Assert.Equal(6, stream.BufferedCount);
            Assert.Equal(5, await t);
            Assert.Equal("first", S(buffer[..5]));
            Assert.Equal("second", await TakeRest(stream));
        });
    }

    [Fact]
    public void ReadAsyncMemory_DirectDelivery_MoreThanTheDestination_RestIsBuffered()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var protocol = Protocol(stream);
            var buffer = new byte[4];

            // the transport receives what fits, then the rest into the buffer
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            ReadOnlySpan<byte> data = "abcdefghij"u8;
            int n = Receive(protocol, data);
            Assert.Equal(4, n);
            Assert.Equal(6, Receive(protocol, data[n..]));
            Assert.Equal(4, await t);
            Assert.Equal("abcd", S(buffer));
            Assert.Equal("efghij", await TakeRest(stream));

            // a size hint larger than the destination: the buffer takes it all
            AioTask<int> t2 = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Memory<byte> space = protocol.GetBufferFilledAtOnce(8);
            Assert.False(IsIn(space, buffer));
            "12345678"u8.CopyTo(space.Span);
            protocol.BufferUpdated(8);
            Assert.Equal(4, await t2);
            Assert.Equal("1234", S(buffer));
            Assert.Equal("5678", await TakeRest(stream));
        });
    }

    // CPython: cancelling a read that waits leaves the received data for the next read. Delivered into the destination,
    // the bytes go back in front of what was buffered behind them.
    [Fact]
    public void ReadAsyncMemory_TaskCancelledAfterDirectDelivery_NextReadGetsTheBytesInOrder()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var protocol = Protocol(stream);
            var buffer = new byte[100];
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Assert.Equal(4, Receive(protocol, "data"u8));
            Assert.Equal(4, Receive(protocol, "more"u8));
            t.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t);
            Assert.Equal(8, stream.BufferedCount);
            var next = new byte[100];
            Assert.Equal(8, await stream.ReadAsync(next));
            Assert.Equal("datamore", S(next[..8]));
        });
    }

    // A cancelled read that resumes after another task parked and got a direct delivery leaves that delivery alone.
    [Fact]
    public void ReadAsyncMemory_CancelledReadResumingAfterAnotherGotADirectDelivery_LeavesItToThatRead()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var protocol = Protocol(stream);
            var first = new byte[100];
            var second = new byte[100];
            AioTask<int> t1 = Aio.CreateTask(async () => await stream.ReadAsync(first));
            await Yield();
            AioTask<int> t2 = Aio.CreateTask(async () => await stream.ReadAsync(second));
            bool direct = false;
            CallSoon(() =>   // after t2 parks, before t1 resumes
            {
                direct = IsIn(protocol.GetBufferFilledAtOnce(-1), second);
                Receive(protocol, "xy"u8);
            });
            t1.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t1);
            Assert.True(direct);
            Assert.Equal(2, await t2);
            Assert.Equal("xy", S(second[..2]));
            Assert.Equal(0, stream.BufferedCount);
        });
    }

    /// <summary>A transport that only records pause and resume of reading.</summary>
    private sealed class ReadingSwitch : Transport
    {
        public override EventLoop Loop => Aio.GetRunningLoop();
        public override Protocol Protocol { get; set; } = null!;
        public override bool IsClosing => false;
        public override bool IsReading => Reading;
        public bool Reading = true;
        public override void PauseReading() => Reading = false;
        public override void ResumeReading() => Reading = true;
        public override void Write(ReadOnlySpan<byte> data) => throw new NotSupportedException();
        public override void WriteEof() => throw new NotSupportedException();
        public override bool CanWriteEof => false;
        public override int WriteBufferSize => 0;
        public override (int High, int Low) WriteBufferLimits => (0, 0);
        public override void SetWriteBufferLimits(int? high = null, int? low = null) => throw new NotSupportedException();
        public override void Close() { }
        public override void Abort() { }
        public override object? GetExtraInfo(string name) => null;
    }

    // Flow control counts directly delivered bytes as buffered ones until the read takes them (or gives them back).
    [Fact]
    public void ReadAsyncMemory_DirectDelivery_FlowControlCountsTheBytes()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader(limit: 4);
            var transport = new ReadingSwitch();
            stream.SetTransport(transport);
            var protocol = Protocol(stream);
            var buffer = new byte[16];
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Assert.Equal(10, Receive(protocol, "0123456789"u8));   // 10 > 2 × limit
            Assert.False(transport.Reading);
            Assert.Equal(10, await t);
            Assert.True(transport.Reading);

            // cancelled: 6 direct + 3 buffered = 9 > 8 pauses; given back, they keep it paused until a read drains to the limit
            AioTask<int> t2 = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Assert.Equal(6, Receive(protocol, "abcdef"u8));
            Assert.True(transport.Reading);
            Assert.Equal(3, Receive(protocol, "ghi"u8));
            Assert.False(transport.Reading);
            t2.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t2);
            Assert.False(transport.Reading);
            Assert.Equal(9, stream.BufferedCount);
            var five = new byte[5];
            Assert.Equal(5, await stream.ReadAsync(five));
            Assert.Equal("abcde", S(five));
            Assert.True(transport.Reading);
            Assert.Equal("fghi", await TakeRest(stream));
        });
    }

    // The same when a timeout cancels the task, and with nothing buffered behind the bytes.
    [Fact]
    public void ReadAsyncMemory_TimeoutAfterDirectDelivery_NextReadGetsTheBytes()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var protocol = Protocol(stream);
            var buffer = new byte[100];
            int? got = null;
            bool direct = false;
            Aio.GetRunningLoop().CallLater(1, () =>   // due with the timeout, and first: scheduled before the task starts
            {
                direct = IsIn(protocol.GetBufferFilledAtOnce(-1), buffer);
                Receive(protocol, "late"u8);
            });
            AioTask t = Aio.CreateTask(Aio.Timeout(1, async _ => got = await stream.ReadAsync(buffer)));
            await ThrowsAsync<TimeoutException>(async () => await t);
            Assert.True(direct);
            Assert.Null(got);
            Assert.Equal(4, stream.BufferedCount);
            Assert.Equal("late", await TakeRest(stream));
        });
    }

    // EOF and an error that come after directly delivered bytes show at the next read.
    [Fact]
    public void ReadAsyncMemory_DirectDelivery_EofAndErrorAfterTheBytesShowNext()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var protocol = Protocol(stream);
            var buffer = new byte[100];
            AioTask<int> t = Aio.CreateTask(async () => await stream.ReadAsync(buffer));
            await Yield();
            Assert.Equal(3, Receive(protocol, "end"u8));
            stream.FeedEof();
            Assert.Equal(3, await t);
            Assert.Equal("end", S(buffer[..3]));
            Assert.Equal(0, await stream.ReadAsync(buffer));

            var failing = new AioStreamReader();
            var p2 = Protocol(failing);
            AioTask<int> t2 = Aio.CreateTask(async () => await failing.ReadAsync(buffer));
            await Yield();
            Assert.Equal(3, Receive(p2, "err"u8));
            var error = new InvalidDataException("boom");
            failing.SetException(error);
            Assert.Equal(3, await t2);
            Assert.Equal("err", S(buffer[..3]));
            Assert.Same(error, await ThrowsAsync<InvalidDataException>(async () => await failing.ReadAsync(buffer)));
        });
    }

    // ------------------------------------------------------------------ ToString (CPython: __repr__)

    // CPython: test_streams.py StreamTests.test___repr__, test___repr__nondefault_limit, test___repr__eof,
    // test___repr__data, test___repr__exception. Deliberate difference in format: ours always shows the byte count and
    // the limit, and names the exception's type only (CPython: "<StreamReader>", "<StreamReader limit=123>",
    // "<StreamReader eof>", "<StreamReader 4 bytes>", "<StreamReader exception=RuntimeError()>").
    [Fact]
    public void ToString_ShowsBytesEofLimitAndException()
    {
        Assert.Equal("<AioStreamReader 0 bytes limit=65536>", new AioStreamReader().ToString());
        Assert.Equal("<AioStreamReader 0 bytes limit=123>", new AioStreamReader(limit: 123).ToString());

        var eof = new AioStreamReader();
        eof.FeedEof();
        Assert.Equal("<AioStreamReader 0 bytes eof limit=65536>", eof.ToString());

        var data = new AioStreamReader();
        data.FeedData("data"u8);
        Assert.Equal("<AioStreamReader 4 bytes limit=65536>", data.ToString());

        var failed = new AioStreamReader();
        failed.SetException(new InvalidOperationException());
        Assert.Equal("<AioStreamReader 0 bytes limit=65536 exception=InvalidOperationException>", failed.ToString());
    }

    // ------------------------------------------------------------------ async iteration

    // streams.py StreamReader.__aiter__/__anext__ (no test of its own in test_streams.py): line after line, the last
    // partial line included, until EOF.
    [Fact]
    public void AwaitForeach_YieldsEveryLine_ThenEndsAtEof()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            CallSoon(() => stream.FeedData("line1\nli"u8));
            CallSoon(() => stream.FeedData("ne2\nline3\ntail"u8));
            CallSoon(stream.FeedEof);
            var lines = new List<string>();
            await foreach (byte[] line in stream)
            {
                lines.Add(S(line));
            }

            Assert.Equal(["line1\n", "line2\n", "line3\n", "tail"], lines);
            Assert.True(stream.AtEof);
        });
    }

    // streams.py StreamReader.__anext__ is readline(): its errors end the iteration.
    [Fact]
    public void AwaitForeach_SetExceptionWhileIterating_ThrowsIt()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var error = new InvalidDataException();
            stream.FeedData("line1\n"u8);
            CallSoon(() => stream.SetException(error));
            var lines = new List<string>();
            var e = await ThrowsAsync<InvalidDataException>(async () =>
            {
                await foreach (byte[] line in stream)
                {
                    lines.Add(S(line));
                }
            });
            Assert.Same(error, e);
            Assert.Equal(["line1\n"], lines);
        });
    }

    // Cancelling a task blocked in `async for line in reader` raises CancelledError inside it (CPython: task.cancel()
    // throws into readline's _wait_for_data). Bug fixed: the task stayed "cancelling" until a line arrived, because
    // await foreach awaits MoveNextAsync as a foreign awaitable that a cancel cannot interrupt.
    [Fact]
    public void AwaitForeach_TaskCancelledWhileWaitingForALine_EndsCancelled_PartialLineStays()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            var lines = new List<string>();
            stream.FeedData("one\npart"u8);
            AioTask t = Aio.CreateTask(Iterate());
            for (int i = 0; i < 100 && lines.Count == 0; i++)
            {
                await Yield();   // the iterator's steps hop through foreign continuations: a few iterations
            }

            await Yield(10);
            Assert.Equal(["one\n"], lines);
            Assert.False(t.IsDone);

            t.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t);
            Assert.True(t.IsCancelled);

            stream.FeedData("ial\n"u8);
            Assert.Equal("partial\n", S(await stream.ReadLineAsync()));

            async Coroutine Iterate()
            {
                await foreach (byte[] line in stream)
                {
                    lines.Add(S(line));
                }
            }
        });
    }

    // Same, iterating WithCancellation(token): the task's cancel and the token are both watched.
    [Fact]
    public void AwaitForeach_WithToken_TaskCancelledWhileWaiting_EndsCancelled()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            using var cts = new CancellationTokenSource();
            AioTask t = Aio.CreateTask(Iterate());
            await Yield();
            t.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t);
            Assert.True(t.IsCancelled);
            Assert.False(cts.IsCancellationRequested);

            async Coroutine Iterate()
            {
                await foreach (byte[] line in stream.WithCancellation(cts.Token))
                {
                }
            }
        });
    }

    // .NET addition: a token given with WithCancellation ends a waiting iteration with OperationCanceledException.
    [Fact]
    public void AwaitForeach_TokenCancelledWhileWaiting_ThrowsOperationCanceled_DataStays()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("no newline yet"u8);
            using var cts = new CancellationTokenSource();
            AioTask t = Aio.CreateTask(Iterate());
            await Yield();
            Assert.False(t.IsDone);
            cts.Cancel();
            var e = await ThrowsAsync<OperationCanceledException>(async () => await t);
            Assert.Equal(cts.Token, e.CancellationToken);
            Assert.Equal(14, stream.BufferedCount);

            async Coroutine Iterate()
            {
                await foreach (byte[] line in stream.WithCancellation(cts.Token))
                {
                }
            }
        });
    }

    // ------------------------------------------------------------------ cancellation: no data lost

    // CPython's reads take bytes out of the buffer only once complete, so a read cancelled while it waits loses
    // nothing (the tests above cover test_exception_cancel; these check the data). The exception, in CPython as here:
    // ReadAsync(-1) collects blocks of up to Limit bytes in a local list while it waits for EOF, and a cancel drops them.
    [Fact]
    public void ReadLineAsync_CancelledWhileWaiting_PartialLineStaysForTheNextRead()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("partial "u8);
            AioTask<byte[]> t = Aio.CreateTask(stream.ReadLineAsync());
            await Yield();
            stream.FeedData("more "u8);   // wakes it, no newline yet: it waits again
            await Yield();
            Assert.False(t.IsDone);
            t.Cancel();
            await Yield();
            Assert.True(t.IsCancelled);
            Assert.Equal(13, stream.BufferedCount);

            stream.FeedData("line\nnext"u8);
            Assert.Equal("partial more line\n", S(await stream.ReadLineAsync()));
            Assert.Equal("next", await TakeRest(stream));
        });
    }

    [Fact]
    public void ReadUntilAsync_CancelledWhileWaiting_DataStays()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("abcA"u8);
            AioTask<byte[]> t = Aio.CreateTask(stream.ReadUntilAsync("AAA"u8.ToArray()));
            await Yield();
            t.Cancel();
            await Yield();
            Assert.True(t.IsCancelled);

            stream.FeedData("AAx"u8);
            Assert.Equal("abcAAA", S(await stream.ReadUntilAsync("AAA"u8.ToArray())));
            Assert.Equal("x", await TakeRest(stream));
        });
    }

    [Fact]
    public void ReadExactlyAsync_CancelledWhileWaiting_PartialBytesStay()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            stream.FeedData("12345"u8);
            AioTask<byte[]> t = Aio.CreateTask(stream.ReadExactlyAsync(10));
            var buffer = new byte[10];
            await Yield();
            t.Cancel();
            await Yield();
            Assert.True(t.IsCancelled);
            Assert.Equal(5, stream.BufferedCount);

            AioTask t2 = Aio.CreateTask(ReadInto());
            await Yield();
            t2.Cancel();
            await Yield();
            Assert.True(t2.IsCancelled);
            Assert.Equal(5, stream.BufferedCount);

            stream.FeedData("67890"u8);
            Assert.Equal("1234567890", S(await stream.ReadExactlyAsync(10)));

            async Coroutine ReadInto() => await stream.ReadExactlyAsync(buffer);
        });
    }

    // The read was woken by data but cancelled before it ran (CPython: the waiter future is done, the task's
    // _must_cancel throws CancelledError into the coroutine at the await): the bytes stay buffered.
    [Fact]
    public void ReadAsync_WokenByDataThenCancelledBeforeItRuns_DataStays()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<byte[]> t = Aio.CreateTask(stream.ReadAsync(100));
            await Yield();
            stream.FeedData("hello"u8);
            t.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t);
            Assert.Equal("hello", await TakeRest(stream));

            var buffer = new byte[100];
            AioTask<int> t2 = Aio.CreateTask(stream.ReadAsync(buffer).AsCoroutine());
            await Yield();
            stream.FeedData("world"u8);
            t2.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t2);
            Assert.Equal("world", await TakeRest(stream));
        });
    }

    // Same for a line: the newline arrived, the read was cancelled before it took the line.
    [Fact]
    public void ReadLineAsync_WokenByTheNewlineThenCancelledBeforeItRuns_LineStays()
    {
        RunAio(async () =>
        {
            var stream = new AioStreamReader();
            AioTask<byte[]> t = Aio.CreateTask(stream.ReadLineAsync());
            await Yield();
            stream.FeedData("whole line\n"u8);
            t.Cancel();
            await ThrowsAsync<CancelledError>(async () => await t);
            Assert.Equal("whole line\n", S(await stream.ReadLineAsync()));
        });
    }
}
