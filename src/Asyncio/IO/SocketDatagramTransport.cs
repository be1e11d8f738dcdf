using System.Net;
using System.Net.Sockets;

namespace Asyncio.IO;

/// <summary>
/// A UDP socket as a datagram transport, whichever backend drives it: the protocol's callbacks, sends that go out at
/// once when the kernel takes them and queue otherwise, close after the queue is sent, and abort. A backend supplies
/// how datagrams are received and how the queue is sent.
/// </summary>
/// <remarks>Invariant: <see cref="WriteBufferSize"/> is the byte count of the queued datagrams; the backend works on the queue iff it is not empty.</remarks>
internal abstract class SocketDatagramTransport : DatagramTransport
{
    protected const int MaxDatagram = 256 * 1024;

    protected readonly EventLoop _loop;
    protected readonly Socket _socket;
    protected readonly int _fd;
    protected readonly EndPoint? _remote;
    protected readonly DatagramProtocol _protocol;
    protected readonly Queue<(byte[] Data, EndPoint? To)> _queue = new();
    private int _queued;
    protected bool _closing;
    protected bool _lost;

    protected SocketDatagramTransport(EventLoop loop, Socket socket, DatagramProtocol protocol, EndPoint? remote, Future<bool> ready)
    {
        _loop = loop;
        _socket = socket;
        _fd = EventLoop.FdOf(socket);
        _protocol = protocol;
        _remote = remote;
        loop.ClaimFd(_fd, this);
        loop.EnqueueReady(static s =>
        {
            var (t, f) = ((SocketDatagramTransport, Future<bool>))s!;
            t.Start();
            f.TrySetResult(true);
        }, (this, ready));
    }

    private void Start()
    {
        _protocol.ConnectionMade(this);
        if (!_closing)
        {
            StartReading();
        }
    }

    public override EventLoop Loop => _loop;

    public override bool IsClosing => _closing;

    public override int WriteBufferSize => _queued;

    /// <summary>Starts receiving datagrams; they go to <see cref="Deliver"/>.</summary>
    protected abstract void StartReading();

    /// <summary>Stops receiving (closing).</summary>
    protected abstract void StopReading();

    /// <summary>The queue just became non-empty: start sending it (each one through <see cref="TrySendNow"/> or its own way, then <see cref="Dequeue"/>).</summary>
    protected abstract void StartWriting();

    /// <summary>The socket is about to be disposed: forget every registration with the backend.</summary>
    protected abstract void ReleaseIo();

    /// <summary>A datagram arrived from <paramref name="from"/> (as the socket reported it).</summary>
    protected void Deliver(ReadOnlySpan<byte> data, SocketAddress from)
    {
        EndPoint sender = (_remote ?? (EndPoint)new IPEndPoint(IPAddress.Any, 0)).Create(from);
        _protocol.DatagramReceived(data, sender);
    }

    public override void SendTo(ReadOnlySpan<byte> data, EndPoint? address = null)
    {
        _loop.CheckThread(nameof(SendTo));
        if (_remote is not null && address is not null && !address.Equals(_remote))
        {
            throw new ArgumentException($"Invalid address: this endpoint is connected to {_remote}; send without an address or to that one.", nameof(address));
        }

        EndPoint to = address ?? _remote ?? throw new InvalidOperationException("SendTo needs an address: this endpoint was created without a remote address.");
        if (_lost || _closing)
        {
            throw new InvalidOperationException($"SendTo on a closed datagram endpoint ({this}).");
        }

        if (_queue.Count == 0)
        {
            if (TrySendNow(data, _remote is null ? to : null))
            {
                return;
            }

            _queue.Enqueue((data.ToArray(), _remote is null ? to : null));
            _queued += data.Length;
            StartWriting();
            return;
        }

        _queue.Enqueue((data.ToArray(), _remote is null ? to : null));
        _queued += data.Length;
    }

    /// <summary>
    /// One non-blocking send; false if the kernel buffer is full. Any other failure goes to
    /// <see cref="DatagramProtocol.ErrorReceived"/> and counts as done (the datagram is dropped, as asyncio does).
    /// </summary>
    protected bool TrySendNow(ReadOnlySpan<byte> data, EndPoint? to)
    {
        try
        {
            if (to is null)
            {
                _socket.Send(data);
            }
            else
            {
                _socket.SendTo(data, SocketFlags.None, to);
            }

            return true;
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.Interrupted)
        {
            return false;
        }
        catch (SocketException e)
        {
            _protocol.ErrorReceived(e);
            return true;
        }
    }

    /// <summary>The head of the queue was sent (or dropped); once the queue is empty a pending close completes. True if more is queued.</summary>
    protected bool Dequeue()
    {
        var (data, _) = _queue.Dequeue();
        _queued -= data.Length;
        if (_queue.Count > 0)
        {
            return true;
        }

        if (_closing)
        {
            Lost(null);
        }

        return false;
    }

    public override void Close()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        StopReading();
        if (_queue.Count == 0)
        {
            _loop.EnqueueReady(static s => ((SocketDatagramTransport)s!).Lost(null), this);
        }
    }

    public override void Abort()
    {
        _queue.Clear();
        _queued = 0;
        _closing = true;
        _loop.EnqueueReady(static s => ((SocketDatagramTransport)s!).Lost(null), this);
    }

    private void Lost(Exception? error)
    {
        if (_lost)
        {
            return;
        }

        _lost = true;
        ReleaseIo();
        _loop.ReleaseFd(_fd);
        try
        {
            _protocol.ConnectionLost(error);
        }
        finally
        {
            _socket.Dispose();
        }
    }

    public override object? GetExtraInfo(string name) => name switch
    {
        "socket" => _socket,
        "sockname" => _lost ? null : _socket.LocalEndPoint,
        "peername" => _remote,
        _ => null,
    };

    public override string ToString() => $"<DatagramTransport fd={_fd}{(_closing ? " closing" : "")}>";
}
