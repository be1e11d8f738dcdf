using System.Net.Sockets;

namespace Asyncio.IO;

/// <summary>
/// The accept loop of one listening socket on the portable backend (asyncio's <c>_start_serving</c> on the Proactor
/// loop): one <see cref="Socket.AcceptAsync(CancellationToken)"/> outstanding while the server listens, each accepted
/// connection handed to the server on the loop thread, then the next accept.
/// </summary>
/// <remarks>
/// Invariant: an accept is outstanding and watched while listening; one left outstanding after
/// <see cref="SetListening"/>(false) is unwatched, and what it accepts is closed at once.
/// </remarks>
internal sealed class CompletionAcceptor
{
    private readonly Server _server;
    private readonly Socket _listener;
    private readonly CompletionSlot<Socket> _accept;
    private bool _listening;

    public CompletionAcceptor(Server server, Socket listener, CompletionSelector io)
    {
        _server = server;
        _listener = listener;
        _accept = new CompletionSlot<Socket>(io, this, static slot => ((CompletionAcceptor)slot.Owner).OnAccepted());
    }

    /// <summary>Starts or stops taking connections. Loop thread.</summary>
    public void SetListening(bool on)
    {
        _listening = on;
        if (!on || _accept.IsPending)
        {
            _accept.Watched = on;
            return;
        }

        _accept.Start(_listener, static l => l.AcceptAsync(CancellationToken.None));
    }

    private void OnAccepted()
    {
        _accept.Finish();
        if (_accept.Error is { } error)
        {
            if (!_listening)
            {
                return;   // the listening socket was closed under the accept
            }

            SocketException e = SocketErrors.From(error);
            switch (e.SocketErrorCode)
            {
                case SocketError.OperationAborted:
                    return;
                case SocketError.TooManyOpenSockets or SocketError.NoBufferSpaceAvailable:
                    _server.OnOutOfResources(_listener, e);
                    return;
                case SocketError.ConnectionAborted or SocketError.ConnectionReset or SocketError.Interrupted:
                    break;   // the client gave up before we took it: nothing to report
                default:
                    _server.OnAcceptError(_listener, e);
                    break;
            }

            SetListening(true);
            return;
        }

        Socket conn = _accept.Result!;
        if (!_listening)
        {
            conn.Dispose();
            return;
        }

        conn.Blocking = false;   // as the epoll backend's accept4(SOCK_NONBLOCK): Sock*Async and the transport agree on it
        _server.OnAccepted(conn, _listener);
        if (_listening)
        {
            SetListening(true);
        }
    }
}
