using System.Net.Sockets;
using Asyncio.IO;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio;

/// <summary>
/// A listening server (asyncio's <c>Server</c>): accepts connections on its sockets and gives each a transport and a
/// protocol. <see cref="Close"/> stops listening; <see cref="WaitClosedAsync"/> waits until it is closed and every
/// connection is gone. Loop thread only.
/// </summary>
public sealed class Server
{
    private const int EMFILE = 24, ENFILE = 23, ENOBUFS = 105, ENOMEM = 12, ECONNABORTED = 103;

    private readonly EventLoop _loop;
    private readonly Func<Protocol> _protocolFactory;
    private readonly int _backlog;
    private List<Socket>? _sockets;
    private readonly IReadOnlyList<Socket> _allSockets;
    private readonly string _addresses;
    private readonly HashSet<Transport> _clients = new(ReferenceEqualityComparer.Instance);
    private List<Future<bool>>? _waiters = new();
    private Future<bool>? _servingForever;
    private bool _serving;

    internal Server(EventLoop loop, List<Socket> sockets, Func<Protocol> protocolFactory, int backlog)
    {
        _loop = loop;
        _sockets = sockets;
        _allSockets = sockets.ToArray();
        _addresses = string.Join(", ", sockets.Select(s => s.LocalEndPoint?.ToString() ?? "?"));
        _protocolFactory = protocolFactory;
        _backlog = backlog;
    }

    /// <summary>The socket file of a Unix server, removed when it closes.</summary>
    internal string? UnixPath { get; init; }

    /// <summary>The loop the server runs on.</summary>
    public EventLoop Loop => _loop;

    /// <summary>The listening sockets (empty once closed).</summary>
    public IReadOnlyList<Socket> Sockets => _sockets is null ? Array.Empty<Socket>() : _allSockets;

    /// <summary>True while the server accepts connections.</summary>
    public bool IsServing => _serving;

    /// <summary>Connections accepted and not closed yet.</summary>
    public int ActiveConnections => _clients.Count;

    /// <summary>Starts accepting connections (done by <see cref="EventLoop.CreateServer"/> unless told not to). Idempotent.</summary>
    /// <exception cref="InvalidOperationException">The server is closed.</exception>
    public void StartServing()
    {
        _loop.CheckThread(nameof(StartServing));
        if (_sockets is null)
        {
            throw new InvalidOperationException($"{this} is closed; create a new server to accept connections again.");
        }

        if (_serving)
        {
            return;
        }

        _serving = true;
        foreach (Socket s in _sockets)
        {
            Listen(s, on: true);
        }
    }

    /// <summary>
    /// Starts or stops taking connections from <paramref name="listener"/>: its reader on epoll, its accept loop on the
    /// portable backend (one <see cref="CompletionAcceptor"/> per listening socket, made on first use).
    /// </summary>
    private void Listen(Socket listener, bool on)
    {
        if (_loop.IoBackend == IoBackend.Portable)
        {
            _acceptors ??= new Dictionary<Socket, CompletionAcceptor>(ReferenceEqualityComparer.Instance);
            if (!_acceptors.TryGetValue(listener, out CompletionAcceptor? acceptor))
            {
                acceptor = new CompletionAcceptor(this, listener, _loop.Completions!);
                _acceptors.Add(listener, acceptor);
            }

            acceptor.SetListening(on);
            return;
        }

        _loop.Io.SetReader(EventLoop.FdOf(listener), on ? s_onAcceptable : null, (this, listener));
    }

    /// <summary>The accept loops of the portable backend, by listening socket; null on epoll.</summary>
    private Dictionary<Socket, CompletionAcceptor>? _acceptors;

    private static readonly Action<object?> s_onAcceptable = static s =>
    {
        var (server, listener) = ((Server, Socket))s!;
        server.Accept(listener);
    };

    private void Accept(Socket listener)
    {
        for (int i = 0; i < _backlog && _serving; i++)
        {
            Socket? conn = SocketOps.TryAccept(listener, out int errno);
            if (conn is null)
            {
                if (errno is EAGAIN or EINTR or ECONNABORTED)
                {
                    return;
                }

                if (errno is EMFILE or ENFILE or ENOBUFS or ENOMEM)
                {
                    OnOutOfResources(listener, new SocketException(errno));
                    return;
                }

                OnAcceptError(listener, new SocketException(errno));
                return;
            }

            OnAccepted(conn, listener);
        }
    }

    /// <summary>
    /// Out of descriptors or memory: stops accepting on <paramref name="listener"/> for a second instead of spinning
    /// (asyncio does the same).
    /// </summary>
    internal void OnOutOfResources(Socket listener, SocketException error)
    {
        _loop.CallExceptionHandler(new LoopExceptionContext("socket.accept() out of system resource")
        {
            Exception = error,
            Socket = listener,
        });
        Listen(listener, on: false);
        _loop.CallLater(1.0, () =>
        {
            if (_serving && _sockets is not null)
            {
                Listen(listener, on: true);
            }
        });
    }

    internal void OnAcceptError(Socket listener, SocketException error) =>
        _loop.CallExceptionHandler(new LoopExceptionContext("Error on accept()") { Exception = error, Socket = listener });

    /// <summary>Gives an accepted connection its protocol and transport (the connection is dropped if the factory fails).</summary>
    internal void OnAccepted(Socket conn, Socket listener)
    {
        Protocol protocol;
        try
        {
            SocketOps.SetNoDelay(conn);
            protocol = _protocolFactory() ?? throw new InvalidOperationException("The protocol factory of CreateServer returned null.");
        }
        catch (Exception e)
        {
            conn.Dispose();
            _loop.CallExceptionHandler(new LoopExceptionContext("Error on transport creation for incoming connection") { Exception = e, Socket = listener });
            return;
        }

        _loop.NewStreamTransport(conn, protocol, this, waiter: null);
    }

    internal void Attach(Transport transport) => _clients.Add(transport);

    internal void Detach(Transport transport)
    {
        _clients.Remove(transport);
        if (_clients.Count == 0 && _sockets is null)
        {
            WakeUp();
        }
    }

    /// <summary>
    /// Stops listening and closes the listening sockets (asyncio's <c>close()</c>); connections already accepted stay
    /// open. Idempotent.
    /// </summary>
    public void Close()
    {
        _loop.CheckThread(nameof(Close));
        List<Socket>? sockets = _sockets;
        if (sockets is null)
        {
            return;
        }

        _sockets = null;
        foreach (Socket s in sockets)
        {
            if (_acceptors is not null && _acceptors.Remove(s, out CompletionAcceptor? acceptor))
            {
                acceptor.SetListening(false);   // disposing the socket aborts its accept
            }
            else if (!_loop.IsClosed)
            {
                _loop.Io.Forget(EventLoop.FdOf(s));
            }

            s.Dispose();
        }

        _serving = false;
        if (UnixPath is { } path)
        {
            try
            {
                File.Delete(path);
            }
            catch (IOException)
            {
                // already gone, or replaced by someone else: not ours to report
            }
        }

        if (_servingForever is { IsDone: false } forever)
        {
            forever.Cancel();
            _servingForever = null;
        }

        if (_clients.Count == 0)
        {
            WakeUp();
        }
    }

    /// <summary>Closes every accepted connection gracefully (after its buffered data).</summary>
    public void CloseClients()
    {
        foreach (Transport t in _clients.ToArray())
        {
            t.Close();
        }
    }

    /// <summary>Closes every accepted connection at once, dropping buffered data.</summary>
    public void AbortClients()
    {
        foreach (Transport t in _clients.ToArray())
        {
            t.Abort();
        }
    }

    private void WakeUp()
    {
        List<Future<bool>>? waiters = _waiters;
        _waiters = null;
        if (waiters is null)
        {
            return;
        }

        foreach (Future<bool> w in waiters)
        {
            w.TrySetResult(true);
        }
    }

    /// <summary>Waits until the server is closed and every connection it accepted is gone (asyncio 3.12.1+).</summary>
    public async Coroutine WaitClosedAsync()
    {
        if (_waiters is null)
        {
            return;
        }

        var waiter = _loop.CreateFuture<bool>();
        _waiters.Add(waiter);
        await waiter;
    }

    /// <summary>
    /// Serves until cancelled (asyncio's <c>serve_forever</c>); cancelling it closes the server and waits until it
    /// is closed.
    /// </summary>
    /// <exception cref="InvalidOperationException">Already being awaited, or the server is closed.</exception>
    public async Coroutine ServeForeverAsync()
    {
        if (_servingForever is not null)
        {
            throw new InvalidOperationException($"{this} is already being awaited on ServeForeverAsync().");
        }

        if (_sockets is null)
        {
            throw new InvalidOperationException($"{this} is closed.");
        }

        StartServing();
        _servingForever = _loop.CreateFuture<bool>();
        try
        {
            await _servingForever;
        }
        catch (CancelledError)
        {
            try
            {
                Close();
                await WaitClosedAsync();
            }
            finally
            {
                _servingForever = null;
            }

            throw;
        }
        finally
        {
            _servingForever = null;
        }
    }

    /// <inheritdoc/>
    public override string ToString() =>
        $"<Server sockets=[{_addresses}] {(_sockets is null ? "closed" : _serving ? "serving" : "not serving")} clients={_clients.Count}>";
}
