using System.Net.Sockets;
using Asyncio.IO;

namespace Asyncio;

public sealed partial class EventLoop
{
    private IIoSelector? _io;

    /// <summary>Descriptors owned by transports; AddReader/AddWriter refuse them (asyncio's _ensure_fd_no_transport).</summary>
    private readonly Dictionary<int, object> _transportFds = new();

    /// <summary>The I/O reactor, created on first use: the one <see cref="IoBackend"/> names.</summary>
    internal IIoSelector Io
    {
        get
        {
            if (_io is null)
            {
                CheckNotClosed("I/O");
                _io = IoSelectorFactory.Create(this, IoBackend);
                _selector = _io;   // swapped between waits; see the remarks on _selector
            }

            return _io;
        }
    }

    /// <summary>
    /// The I/O backend of this loop (<see cref="Asyncio.IoBackend.Epoll"/> or <see cref="Asyncio.IoBackend.Portable"/>),
    /// chosen when the loop was created from <see cref="LoopOptions.IoBackend"/> and <c>ASYNCIO_SELECTOR</c>.
    /// </summary>
    public IoBackend IoBackend { get; }

    /// <summary>The completion-based reactor when this loop uses the portable backend, else null; creates it if needed.</summary>
    internal CompletionSelector? Completions => IoBackend == IoBackend.Portable ? (CompletionSelector)Io : null;

    /// <summary>
    /// Calls <paramref name="callback"/> on the loop each time <paramref name="fd"/> is readable, until
    /// <see cref="RemoveReader(int)"/> (asyncio's <c>add_reader</c>). Replaces a previous reader of the descriptor.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="fd"/> is negative.</exception>
    /// <exception cref="InvalidOperationException">The descriptor belongs to a transport, the loop is closed, or this is not its thread.</exception>
    /// <exception cref="NotSupportedException">The loop uses the portable backend, which has no readiness callbacks.</exception>
    public void AddReader(int fd, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddReader(fd, s_invokeAction, callback);
    }

    /// <summary>Calls <paramref name="callback"/>(<paramref name="state"/>) each time <paramref name="fd"/> is readable; see <see cref="AddReader(int, Action)"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The descriptor belongs to a transport, the loop is closed, or this is not its thread.</exception>
    /// <exception cref="NotSupportedException">The loop uses the portable backend, which has no readiness callbacks.</exception>
    public void AddReader(int fd, Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ReadinessSelector(nameof(AddReader), fd).SetReader(fd, callback, state);
    }

    /// <summary>Stops watching <paramref name="fd"/> for reading (asyncio's <c>remove_reader</c>); false if no reader was registered.</summary>
    /// <exception cref="InvalidOperationException">The descriptor belongs to a transport, or this is not the loop's thread.</exception>
    /// <exception cref="NotSupportedException">The loop uses the portable backend, which has no readiness callbacks.</exception>
    public bool RemoveReader(int fd)
    {
        CheckThread(nameof(RemoveReader));
        CheckReadinessBackend(nameof(RemoveReader));
        if (_io is null || _closed || !_io.HasReader(fd))
        {
            return false;
        }

        CheckNoTransport(nameof(RemoveReader), fd);
        _io.SetReader(fd, null, null);
        return true;
    }

    /// <summary>
    /// Calls <paramref name="callback"/> on the loop each time <paramref name="fd"/> is writable, until
    /// <see cref="RemoveWriter(int)"/> (asyncio's <c>add_writer</c>).
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The descriptor belongs to a transport, the loop is closed, or this is not its thread.</exception>
    /// <exception cref="NotSupportedException">The loop uses the portable backend, which has no readiness callbacks.</exception>
    public void AddWriter(int fd, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        AddWriter(fd, s_invokeAction, callback);
    }

    /// <summary>Calls <paramref name="callback"/>(<paramref name="state"/>) each time <paramref name="fd"/> is writable.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="callback"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The descriptor belongs to a transport, the loop is closed, or this is not its thread.</exception>
    /// <exception cref="NotSupportedException">The loop uses the portable backend, which has no readiness callbacks.</exception>
    public void AddWriter(int fd, Action<object?> callback, object? state)
    {
        ArgumentNullException.ThrowIfNull(callback);
        ReadinessSelector(nameof(AddWriter), fd).SetWriter(fd, callback, state);
    }

    /// <summary>Stops watching <paramref name="fd"/> for writing (asyncio's <c>remove_writer</c>); false if no writer was registered.</summary>
    /// <exception cref="InvalidOperationException">The descriptor belongs to a transport, or this is not the loop's thread.</exception>
    /// <exception cref="NotSupportedException">The loop uses the portable backend, which has no readiness callbacks.</exception>
    public bool RemoveWriter(int fd)
    {
        CheckThread(nameof(RemoveWriter));
        CheckReadinessBackend(nameof(RemoveWriter));
        if (_io is null || _closed || !_io.HasWriter(fd))
        {
            return false;
        }

        CheckNoTransport(nameof(RemoveWriter), fd);
        _io.SetWriter(fd, null, null);
        return true;
    }

    /// <summary>Watches a socket for reading; see <see cref="AddReader(int, Action)"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void AddReader(Socket socket, Action callback)
    {
        ArgumentNullException.ThrowIfNull(socket);
        AddReader(FdOf(socket), callback);
    }

    /// <summary>Stops watching a socket for reading.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
    public bool RemoveReader(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return RemoveReader(FdOf(socket));
    }

    /// <summary>Watches a socket for writing; see <see cref="AddWriter(int, Action)"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    public void AddWriter(Socket socket, Action callback)
    {
        ArgumentNullException.ThrowIfNull(socket);
        AddWriter(FdOf(socket), callback);
    }

    /// <summary>Stops watching a socket for writing.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="socket"/> is null.</exception>
    public bool RemoveWriter(Socket socket)
    {
        ArgumentNullException.ThrowIfNull(socket);
        return RemoveWriter(FdOf(socket));
    }

    internal static int FdOf(Socket socket) => (int)socket.Handle;

    private IIoSelector ReadinessSelector(string member, int fd)
    {
        CheckCallable(member);
        CheckReadinessBackend(member);
        if (fd < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fd), fd, "A file descriptor is zero or positive.");
        }

        IIoSelector io = Io;
        CheckNoTransport(member, fd);
        return io;
    }

    /// <summary>Readiness callbacks exist only on epoll: the portable backend refuses them, saying what to use instead.</summary>
    private void CheckReadinessBackend(string member)
    {
        if (IoBackend != IoBackend.Epoll)
        {
            throw new NotSupportedException(
                $"{member} needs readiness callbacks, which only the epoll I/O backend (Linux) has; this loop uses the {IoBackend} backend, " +
                "which is completion-based like asyncio's Proactor loop. Use transports and streams (CreateConnection, CreateServer, " +
                "Aio.OpenConnection, Aio.StartServer) or SockRecvAsync/SockSendAllAsync/SockAcceptAsync/SockConnectAsync, which work on every backend.");
        }
    }

    private void CheckNoTransport(string member, int fd)
    {
        if (_transportFds.TryGetValue(fd, out object? transport))
        {
            throw new InvalidOperationException(
                $"{member}: file descriptor {fd} is used by transport {transport}. A transport owns its socket's readiness callbacks; use the transport (or its protocol) instead.");
        }
    }

    internal void ClaimFd(int fd, object transport) => _transportFds[fd] = transport;

    internal void ReleaseFd(int fd) => _transportFds.Remove(fd);
}
