using System.Net.Security;

namespace Asyncio.IO;

/// <summary>
/// The protocol a TLS server gives each accepted connection: it takes over the raw transport at once, runs the
/// server handshake, then hands the TLS transport to the application protocol. A failed handshake is reported and the
/// connection dropped.
/// </summary>
internal sealed class TlsServerProtocol(Func<Protocol> appFactory, SslServerAuthenticationOptions options) : Protocol
{
    public override void ConnectionMade(Transport transport)
    {
        var prepared = TlsTransport.Prepare(transport);
        AioTask handshake = transport.Loop.CreateTask(Run(prepared, transport));
        handshake.AddInternalCallback(static s =>
        {
            var (t, raw) = ((AioTask, Transport))s!;
            if (t.IsFaulted)
            {
                t._flags |= FutureFlags.Retrieved;
                raw.Loop.CallExceptionHandler(new LoopExceptionContext("TLS handshake failed on an incoming connection")
                {
                    Exception = (Exception)t._outcome!,
                    Transport = raw,
                });
            }
        }, (handshake, transport));
    }

    private async Coroutine Run((TlsTransport.RawProtocolHandle, SslStream) prepared, Transport raw)
    {
        Protocol app = appFactory();
        await TlsTransport.HandshakeAsync(prepared, app, null, options);
    }
}
