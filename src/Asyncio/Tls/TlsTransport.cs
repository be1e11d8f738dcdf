using System.Net.Security;

namespace Asyncio.IO;

/// <summary>
/// TLS over a raw transport (asyncio's <c>SSLProtocol</c> and its app transport): <see cref="SslStream"/> runs on the
/// loop over a <see cref="TransportStream"/>; decrypted data is pumped into the application protocol (straight into a
/// buffered protocol's buffer), and writes are encrypted synchronously into the raw transport.
/// </summary>
internal sealed class TlsTransport : Transport
{
    private readonly Transport _raw;
    private readonly TransportStream _stream;
    private readonly SslStream _ssl;
    private Protocol _app;
    private bool _closing;
    private bool _reading = true;
    private Future<bool>? _resumeReading;
    private bool _lost;

    private TlsTransport(Transport raw, TransportStream stream, SslStream ssl, Protocol app)
    {
        _raw = raw;
        _stream = stream;
        _ssl = ssl;
        _app = app;
    }

    /// <summary>The raw side's protocol: ciphertext into the stream, flow control and loss to the TLS transport.</summary>
    private sealed class RawProtocol : Protocol
    {
        public TransportStream? Stream;
        public TlsTransport? Owner;

        public override void DataReceived(ReadOnlySpan<byte> data) => Stream!.Feed(data);

        public override bool EofReceived()
        {
            Stream!.FeedEof();
            return true;
        }

        public override void ConnectionLost(Exception? error)
        {
            if (error is null)
            {
                Stream!.FeedEof();
            }
            else
            {
                Stream!.Fail(error);
            }

            Owner?.RawLost(error);
        }

        public override void PauseWriting() => Owner?._app.PauseWriting();

        public override void ResumeWriting() => Owner?._app.ResumeWriting();
    }

    /// <summary>
    /// Takes over <paramref name="raw"/> at once (so no ciphertext that arrives before the handshake runs is lost) and
    /// returns the pending TLS side; <see cref="HandshakeAsync"/> completes it.
    /// </summary>
    public static (RawProtocolHandle Handle, SslStream Ssl) Prepare(Transport raw)
    {
        var rawProtocol = new RawProtocol();
        var stream = new TransportStream(raw);
        rawProtocol.Stream = stream;
        raw.Protocol = rawProtocol;
        return (new RawProtocolHandle(raw, rawProtocol, stream), new SslStream(stream, leaveInnerStreamOpen: true));
    }

    /// <summary>The raw side of a TLS connection being set up.</summary>
    internal sealed record RawProtocolHandle(Transport Raw, Protocol RawProtocol, TransportStream Stream);

    /// <summary>Runs the handshake, then connects <paramref name="app"/> to the TLS transport.</summary>
    public static async Coroutine<TlsTransport> HandshakeAsync((RawProtocolHandle Handle, SslStream Ssl) prepared, Protocol app,
        SslClientAuthenticationOptions? client, SslServerAuthenticationOptions? server)
    {
        var (handle, ssl) = prepared;
        try
        {
            Task handshake = client is not null ? ssl.AuthenticateAsClientAsync(client) : ssl.AuthenticateAsServerAsync(server!);
            await Aio.WrapFuture(handshake);
        }
        catch
        {
            handle.Raw.Abort();
            await ssl.DisposeAsync();
            throw;
        }

        var tls = new TlsTransport(handle.Raw, handle.Stream, ssl, app);
        ((RawProtocol)handle.RawProtocol).Owner = tls;
        app.ConnectionMade(tls);
        _ = Pump(tls);
        return tls;
    }

    /// <summary>Decrypted data to the application protocol until EOF or an error.</summary>
    private static async Task Pump(TlsTransport t)
    {
        byte[]? own = null;
        try
        {
            while (true)
            {
                if (!t._reading)
                {
                    t._resumeReading = t._raw.Loop.CreateFuture<bool>();
                    await t._resumeReading;
                    continue;
                }

                int n;
                if (t._app is BufferedProtocol buffered)
                {
                    Memory<byte> buffer = buffered.GetBuffer(-1);
                    n = await t._ssl.ReadAsync(buffer);   // resumes on the loop (its synchronization context)
                    if (n > 0)
                    {
                        buffered.BufferUpdated(n);
                    }
                }
                else
                {
                    own ??= new byte[16 * 1024];
                    n = await t._ssl.ReadAsync(own);
                    if (n > 0)
                    {
                        t._app.DataReceived(own.AsSpan(0, n));
                    }
                }

                if (n == 0)
                {
                    if (!t._app.EofReceived())
                    {
                        t.Close();
                    }

                    return;
                }
            }
        }
        catch (Exception e)
        {
            t.Lost(e is IOException or System.Security.Authentication.AuthenticationException ? e : new IOException("TLS read failed.", e));
        }
    }

    private void RawLost(Exception? error) => Lost(error);

    private void Lost(Exception? error)
    {
        if (_lost)
        {
            return;
        }

        _lost = true;
        _closing = true;
        _ssl.Dispose();
        try
        {
            _app.ConnectionLost(error);
        }
        catch (Exception e)
        {
            Loop.CallExceptionHandler(new LoopExceptionContext("Exception in Protocol.ConnectionLost") { Exception = e, Transport = this });
        }

        _raw.Abort();
    }

    public override EventLoop Loop => _raw.Loop;

    public override Protocol Protocol
    {
        get => _app;
        set
        {
            ArgumentNullException.ThrowIfNull(value);
            _app = value;
        }
    }

    public override bool IsClosing => _closing;

    public override bool IsReading => _reading && !_closing;

    public override void PauseReading() => _reading = false;

    public override void ResumeReading()
    {
        _reading = true;
        _resumeReading?.TrySetResult(true);
    }

    public override void Write(ReadOnlySpan<byte> data)
    {
        if (_lost)
        {
            return;
        }

        _ssl.Write(data);   // encrypts synchronously into the raw transport, which never blocks
    }

    public override void WriteEof() => throw new NotSupportedException("TLS does not support half-closing the connection (WriteEof); use Close.");

    public override bool CanWriteEof => false;

    public override int WriteBufferSize => _raw.WriteBufferSize;

    public override (int High, int Low) WriteBufferLimits => _raw.WriteBufferLimits;

    public override void SetWriteBufferLimits(int? high = null, int? low = null) => _raw.SetWriteBufferLimits(high, low);

    public override void Close()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        try
        {
            _ = _ssl.ShutdownAsync();   // close_notify, written synchronously into the raw transport
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
        }

        _raw.Close();
    }

    public override void Abort()
    {
        _closing = true;
        _raw.Abort();
    }

    public override object? GetExtraInfo(string name) => name switch
    {
        "ssl_object" => _ssl,
        "peercert" => _ssl.RemoteCertificate,
        "cipher" => _ssl.NegotiatedCipherSuite.ToString(),
        "compression" => null,
        _ => _raw.GetExtraInfo(name),
    };

    public override string ToString() => $"<TlsTransport over {_raw}>";
}
