namespace Asyncio;

/// <summary>
/// The callbacks a transport makes (asyncio's <c>Protocol</c>): override what you need. All run on the loop thread,
/// in order: <see cref="ConnectionMade"/>, then any number of <see cref="DataReceived"/>, maybe <see cref="EofReceived"/>,
/// and finally <see cref="ConnectionLost"/>.
/// </summary>
public abstract class Protocol
{
    /// <summary>The connection is up; keep <paramref name="transport"/> to write and close.</summary>
    public virtual void ConnectionMade(Transport transport)
    {
    }

    /// <summary>
    /// Bytes arrived. <paramref name="data"/> is valid only during the call (the transport reuses the memory); copy
    /// what you keep.
    /// </summary>
    public virtual void DataReceived(ReadOnlySpan<byte> data)
    {
    }

    /// <summary>The peer will send no more (it shut down its writing side). Return true to keep the transport open for writing; false (the default) closes it.</summary>
    public virtual bool EofReceived() => false;

    /// <summary>The connection is closed: <paramref name="error"/> is null on a normal close or EOF, else what broke it.</summary>
    public virtual void ConnectionLost(Exception? error)
    {
    }

    /// <summary>The transport's write buffer went over its high-water mark: stop writing until <see cref="ResumeWriting"/>.</summary>
    public virtual void PauseWriting()
    {
    }

    /// <summary>The transport's write buffer drained below its low-water mark.</summary>
    public virtual void ResumeWriting()
    {
    }
}

/// <summary>
/// A protocol that lends the transport its own buffer to receive into (asyncio's <c>BufferedProtocol</c>), so bytes
/// go from the socket straight to where they are parsed, without a copy. <see cref="Protocol.DataReceived"/> is not called.
/// </summary>
public abstract class BufferedProtocol : Protocol
{
    /// <summary>A buffer to receive into, at least 1 byte; <paramref name="sizeHint"/> is -1 when the transport has no idea.</summary>
    public abstract Memory<byte> GetBuffer(int sizeHint);

    /// <summary><paramref name="bytesRead"/> bytes were written at the start of the last buffer handed out.</summary>
    public abstract void BufferUpdated(int bytesRead);

    /// <summary>
    /// <see cref="GetBuffer"/> for a transport that fills the buffer and calls <see cref="BufferUpdated"/> (or drops the
    /// buffer) before it returns, with no await in between: the stream reader may then hand out a waiting read's own
    /// destination (see <c>AioStreamReader.GetWriteSpace</c>). A transport that keeps the buffer across an await (TLS)
    /// calls <see cref="GetBuffer"/>.
    /// </summary>
    internal virtual Memory<byte> GetBufferFilledAtOnce(int sizeHint) => GetBuffer(sizeHint);
}
