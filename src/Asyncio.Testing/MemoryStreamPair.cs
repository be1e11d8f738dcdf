namespace Asyncio.Testing;

/// <summary>
/// Two connected stream ends in memory, without sockets: what one end's <see cref="MemoryStreamEnd.Writer"/> writes,
/// the other end's <see cref="MemoryStreamEnd.Reader"/> reads (the core's <see cref="AioStreamReader"/>), over a pair
/// of <see cref="MemoryTransport"/>s.
/// </summary>
/// <example>
/// <code>
/// AioTest.Run(async () =>
/// {
///     var (client, server) = MemoryStreamPair.Create();
///     client.Writer.Write("ping\n"u8);
///     await client.Writer.DrainAsync();
///     byte[] line = await server.Reader.ReadLineAsync();   // "ping\n"
/// });
/// </code>
/// </example>
/// <remarks>
/// The writer is a <see cref="MemoryStreamWriter"/>, not the core's <see cref="AioStreamWriter"/>: the core has no
/// public way to build an <see cref="AioStreamWriter"/> over a transport of one's own (its constructor and the stream
/// protocol behind it are internal), so code typed against <see cref="AioStreamWriter"/> cannot be handed this end yet.
/// The reader is the core's, fed through its public <c>FeedData</c>/<c>FeedEof</c>/<c>SetException</c>; it cannot
/// pause the transport, so it buffers whatever the peer writes (no read-side back-pressure).
/// </remarks>
public static class MemoryStreamPair
{
    /// <summary>Two connected ends on the running loop; see <see cref="Create(EventLoop, int)"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is zero or negative.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread.</exception>
    public static (MemoryStreamEnd First, MemoryStreamEnd Second) Create(int limit = AioStreamReader.DefaultLimit)
    {
        EventLoop loop = EventLoop.Current ?? throw new InvalidOperationException(
            "MemoryStreamPair.Create needs a running event loop on this thread: call it from a coroutine, or pass the loop.");
        return Create(loop, limit);
    }

    /// <summary>
    /// Two connected ends on <paramref name="loop"/>, each with a reader (buffer limit <paramref name="limit"/>, as
    /// <c>Aio.OpenConnection</c>'s) and a writer. Closing one end's writer gives the other end's reader EOF.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="loop"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is zero or negative.</exception>
    /// <exception cref="InvalidOperationException">The loop is closed, or runs on another thread.</exception>
    public static (MemoryStreamEnd First, MemoryStreamEnd Second) Create(EventLoop loop, int limit = AioStreamReader.DefaultLimit)
    {
        ArgumentNullException.ThrowIfNull(loop);
        var first = new MemoryStreamProtocol(loop, new AioStreamReader(limit));
        var second = new MemoryStreamProtocol(loop, new AioStreamReader(limit));
        var (a, b) = MemoryTransport.CreatePair(loop, first, second);
        return (new MemoryStreamEnd(first.Reader, new MemoryStreamWriter(a, first)), new MemoryStreamEnd(second.Reader, new MemoryStreamWriter(b, second)));
    }
}

/// <summary>One end of a <see cref="MemoryStreamPair"/>: a reader and a writer. Deconstructs to <c>(reader, writer)</c>.</summary>
public sealed class MemoryStreamEnd
{
    internal MemoryStreamEnd(AioStreamReader reader, MemoryStreamWriter writer)
    {
        Reader = reader;
        Writer = writer;
    }

    /// <summary>Reads what the other end writes.</summary>
    public AioStreamReader Reader { get; }

    /// <summary>Writes to the other end's reader.</summary>
    public MemoryStreamWriter Writer { get; }

    /// <summary>This end's transport.</summary>
    public MemoryTransport Transport => Writer.Transport;

    /// <summary>Gives <c>var (reader, writer) = end;</c>.</summary>
    public void Deconstruct(out AioStreamReader reader, out MemoryStreamWriter writer)
    {
        reader = Reader;
        writer = Writer;
    }
}
