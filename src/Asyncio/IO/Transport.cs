namespace Asyncio;

/// <summary>
/// A byte-stream connection driven by the loop (asyncio's <c>Transport</c>: a socket or a pipe). Writing never blocks:
/// data the kernel does not take at once is buffered, and the protocol is paused above the high-water mark. Loop
/// thread only.
/// </summary>
public abstract class Transport
{
    /// <summary>The default high-water mark of the write buffer (asyncio: 64 KiB).</summary>
    public const int DefaultHighWaterMark = 64 * 1024;

    /// <summary>The loop the transport runs on.</summary>
    public abstract EventLoop Loop { get; }

    /// <summary>The protocol receiving the callbacks.</summary>
    public abstract Protocol Protocol { get; set; }

    /// <summary>True once <see cref="Close"/> or <see cref="Abort"/> was called or the connection was lost.</summary>
    public abstract bool IsClosing { get; }

    /// <summary>True while the transport delivers received data (not paused).</summary>
    public abstract bool IsReading { get; }

    /// <summary>Stops delivering received data until <see cref="ResumeReading"/> (the kernel buffers meanwhile).</summary>
    public abstract void PauseReading();

    /// <summary>Delivers received data again.</summary>
    public abstract void ResumeReading();

    /// <summary>Sends <paramref name="data"/> (copied if it cannot go out at once). Never blocks.</summary>
    /// <exception cref="InvalidOperationException">After <see cref="WriteEof"/>.</exception>
    public abstract void Write(ReadOnlySpan<byte> data);

    /// <summary>Closes the writing side once the buffer is sent (TCP half-close); reading goes on.</summary>
    public abstract void WriteEof();

    /// <summary>True if <see cref="WriteEof"/> is supported.</summary>
    public abstract bool CanWriteEof { get; }

    /// <summary>Bytes waiting in the write buffer.</summary>
    public abstract int WriteBufferSize { get; }

    /// <summary>The high- and low-water marks of the write buffer.</summary>
    public abstract (int High, int Low) WriteBufferLimits { get; }

    /// <summary>
    /// Sets the write buffer's water marks (asyncio's <c>set_write_buffer_limits</c>): the protocol is paused above
    /// <paramref name="high"/> and resumed at or below <paramref name="low"/> (default high/4).
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A mark is negative, or low exceeds high.</exception>
    public abstract void SetWriteBufferLimits(int? high = null, int? low = null);

    /// <summary>Closes after the buffered data is sent; the protocol then gets <see cref="Protocol.ConnectionLost"/> with null.</summary>
    public abstract void Close();

    /// <summary>Closes at once, dropping buffered data.</summary>
    public abstract void Abort();

    /// <summary>
    /// Extra information (asyncio's <c>get_extra_info</c>): "peername", "sockname" (<see cref="System.Net.EndPoint"/>),
    /// "socket" (<see cref="System.Net.Sockets.Socket"/>); null when unknown.
    /// </summary>
    public abstract object? GetExtraInfo(string name);
}
