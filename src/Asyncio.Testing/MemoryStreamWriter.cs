namespace Asyncio.Testing;

/// <summary>
/// The writing half of a <see cref="MemoryStreamEnd"/>, with the surface of the core's <see cref="AioStreamWriter"/>:
/// <see cref="Write"/> never blocks; await <see cref="DrainAsync"/> after writing so that a writer facing a reader
/// that paused waits instead of growing memory. Loop thread only.
/// </summary>
public sealed class MemoryStreamWriter
{
    private readonly MemoryTransport _transport;
    private readonly MemoryStreamProtocol _protocol;

    internal MemoryStreamWriter(MemoryTransport transport, MemoryStreamProtocol protocol)
    {
        _transport = transport;
        _protocol = protocol;
    }

    /// <summary>The underlying in-memory transport.</summary>
    public MemoryTransport Transport => _transport;

    /// <summary>True once <see cref="Close"/> was called or the connection was lost.</summary>
    public bool IsClosing => _transport.IsClosing;

    /// <summary>Always true: an in-memory end can half-close.</summary>
    public bool CanWriteEof => _transport.CanWriteEof;

    /// <summary>Queues <paramref name="data"/> for the other end; follow with <c>await DrainAsync()</c>.</summary>
    /// <exception cref="InvalidOperationException">The writer was closed, or <see cref="WriteEof"/> was called.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_transport.IsClosing)
        {
            throw new InvalidOperationException(
                $"Write on a closed stream writer ({_transport}): the connection was closed by Close(), Abort() or the peer.");
        }

        _transport.Write(data);
    }

    /// <summary>Queues each of <paramref name="chunks"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="chunks"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The writer was closed, or <see cref="WriteEof"/> was called.</exception>
    public void WriteLines(IEnumerable<byte[]> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        foreach (byte[] chunk in chunks)
        {
            Write(chunk);
        }
    }

    /// <summary>Closes the writing side after the buffered data (half-close); the other end's reader gets EOF.</summary>
    public void WriteEof() => _transport.WriteEof();

    /// <summary>Closes the connection after the buffered data is delivered; the other end's reader gets EOF.</summary>
    public void Close() => _transport.Close();

    /// <summary>Waits until the connection is closed; throws an <see cref="IOException"/> if it broke with an error.</summary>
    public Coroutine WaitClosedAsync() => _protocol.WaitClosedAsync();

    /// <summary>"sockname" and "peername": the names of the two ends.</summary>
    public object? GetExtraInfo(string name) => _transport.GetExtraInfo(name);

    /// <summary>Waits until the write buffer is at or below its low-water mark (asyncio's <c>drain</c>).</summary>
    /// <exception cref="IOException">The connection was lost.</exception>
    public async Coroutine DrainAsync()
    {
        if (_protocol.Reader.Exception is { } readError)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(readError);
        }

        if (_transport.IsClosing)
        {
            await Aio.Sleep(0);   // let the connection loss run, so a write-then-drain loop sees it
        }

        if (_protocol.IsConnectionLost)
        {
            throw new IOException($"Connection lost: {_transport} is closed; nothing more can be written.", _protocol.LostError);
        }

        await _protocol.WaitDrainedAsync();
        if (_protocol.IsConnectionLost && _protocol.LostError is { } error)
        {
            throw new IOException("Connection lost while waiting to drain.", error);
        }
    }

    /// <inheritdoc/>
    public override string ToString() => $"<MemoryStreamWriter transport={_transport}>";
}
