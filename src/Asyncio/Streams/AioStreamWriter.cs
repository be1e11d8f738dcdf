namespace Asyncio;

/// <summary>
/// Writes to a connection (asyncio's <c>StreamWriter</c>). <see cref="Write"/> never blocks; await
/// <see cref="DrainAsync"/> after writing so that a writer facing a slow reader waits (above the transport's
/// high-water mark) instead of growing memory. Loop thread only.
/// </summary>
public sealed class AioStreamWriter
{
    /// <summary>Close() was called on this writer: later writes are a programming error.</summary>
    private bool _closedHere;

    private Transport _transport;
    private readonly StreamProtocol _protocol;
    private readonly AioStreamReader? _reader;

    internal AioStreamWriter(Transport transport, StreamProtocol protocol, AioStreamReader? reader)
    {
        _transport = transport;
        _protocol = protocol;
        _reader = reader;
    }

    /// <summary>The underlying transport.</summary>
    public Transport Transport => _transport;

    /// <summary>True once <see cref="Close"/> was called or the connection was lost.</summary>
    public bool IsClosing => _transport.IsClosing;

    /// <summary>True if <see cref="WriteEof"/> is supported.</summary>
    public bool CanWriteEof => _transport.CanWriteEof;

    /// <summary>Queues <paramref name="data"/> for sending; follow with <c>await DrainAsync()</c>.</summary>
    /// <exception cref="InvalidOperationException">The writer was closed, or <see cref="WriteEof"/> was called.</exception>
    public void Write(ReadOnlySpan<byte> data)
    {
        if (_closedHere)
        {
            throw new InvalidOperationException(
                $"Write on a closed stream writer ({_transport}): Close() was called on it. Write everything first, then Close.");
        }

        // A connection the peer broke takes the bytes and drops them, as asyncio's transports do (with a warning after a
        // few); DrainAsync reports the broken connection.
        _transport.Write(data);
    }

    /// <summary>Queues each of <paramref name="chunks"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="chunks"/> is null.</exception>
    public void WriteLines(IEnumerable<byte[]> chunks)
    {
        ArgumentNullException.ThrowIfNull(chunks);
        foreach (byte[] chunk in chunks)
        {
            Write(chunk);
        }
    }

    /// <summary>Closes the writing side after the buffered data (half-close); the peer reads EOF.</summary>
    public void WriteEof() => _transport.WriteEof();

    /// <summary>Closes the connection after the buffered data is sent.</summary>
    public void Close()
    {
        _closedHere = true;
        _transport.Close();
    }

    /// <summary>Waits until the connection is closed (asyncio's <c>wait_closed</c>); throws the error it broke with, if any.</summary>
    public Coroutine WaitClosedAsync() => _protocol.WaitClosedAsync();

    /// <summary>Transport information: "peername", "sockname", "socket".</summary>
    public object? GetExtraInfo(string name) => _transport.GetExtraInfo(name);

    /// <summary>
    /// Waits until the transport's buffer is below its high-water mark (asyncio's <c>drain</c>); returns at once when it
    /// already is, without allocating.
    /// </summary>
    /// <exception cref="IOException">The connection was lost.</exception>
    public ValueCoroutine DrainAsync()
    {
        if (_reader?.Exception is { } error)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }

        if (!_transport.IsClosing && !_protocol.IsWritingPaused)
        {
            return ValueCoroutine.Completed;
        }

        return DrainSlowAsync();
    }

    private async Coroutine DrainSlowAsync()
    {
        if (_transport.IsClosing)
        {
            // Let ConnectionLost run, so that a write-then-drain loop sees the error of a closed socket.
            await Aio.Sleep(0);
        }

        await _protocol.DrainHelperAsync();
    }

    /// <summary>
    /// Upgrades the connection to TLS in place (asyncio's <c>StreamWriter.start_tls</c>): after the handshake this writer
    /// and its reader carry encrypted data. Nothing may be buffered unread when you call it.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="options"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The connection is closing, already TLS, or the reader holds unread data.</exception>
    /// <exception cref="System.Security.Authentication.AuthenticationException">The handshake failed.</exception>
    public async Coroutine StartTlsAsync(System.Net.Security.SslClientAuthenticationOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (_transport.IsClosing || _transport is IO.TlsTransport)
        {
            throw new InvalidOperationException($"StartTlsAsync: {_transport} is closing or already TLS.");
        }

        if (_reader is { BufferedCount: > 0 })
        {
            throw new InvalidOperationException("StartTlsAsync: the reader holds unread plaintext; read it before upgrading the connection.");
        }

        Transport raw = _transport;
        _transport = await IO.TlsTransport.HandshakeAsync(IO.TlsTransport.Prepare(raw), _protocol, options, null);
    }

    /// <inheritdoc/>
    public override string ToString() => $"<AioStreamWriter transport={_transport}>";
}
