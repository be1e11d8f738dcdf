using System.Net;
using System.Net.Sockets;

namespace Asyncio.IO;

/// <summary>A UDP socket on the epoll reactor (asyncio's <c>_SelectorDatagramTransport</c>).</summary>
internal sealed class DatagramSocketTransport : DatagramTransport
{
    private const int MaxDatagram = 256 * 1024;

    private readonly EventLoop _loop;
    private readonly Socket _socket;
    private readonly int _fd;
    private readonly IIoSelector _io;
    private readonly EndPoint? _remote;
    private readonly DatagramProtocol _protocol;
    private readonly Queue<(byte[] Data, EndPoint? To)> _queue = new();
    private readonly SocketAddress _from;
    private int _queued;
    private bool _closing;
    private bool _lost;

    public DatagramSocketTransport(EventLoop loop, Socket socket, DatagramProtocol protocol, EndPoint? remote, Future<bool> ready)
    {
        _loop = loop;
        _socket = socket;
        _fd = EventLoop.FdOf(socket);
        _io = loop.Io;
        _protocol = protocol;
        _remote = remote;
        _from = new SocketAddress(socket.AddressFamily);
        loop.ClaimFd(_fd, this);
        loop.EnqueueReady(static s =>
        {
            var (t, f) = ((DatagramSocketTransport, Future<bool>))s!;
            t.Start();
            f.TrySetResult(true);
        }, (this, ready));
    }

    private void Start()
    {
        _protocol.ConnectionMade(this);
        if (!_closing)
        {
            _io.SetReader(_fd, static s => ((DatagramSocketTransport)s!).OnReadable(), this);
        }
    }

    public override EventLoop Loop => _loop;

    public override bool IsClosing => _closing;

    public override int WriteBufferSize => _queued;

    private void OnReadable()
    {
        if (_lost)
        {
            return;
        }

        byte[] buffer = _loop.ReceiveBuffer;
        int n;
        try
        {
            n = _socket.ReceiveFrom(buffer.AsSpan(0, Math.Min(buffer.Length, MaxDatagram)), SocketFlags.None, _from);
        }
        catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.Interrupted)
        {
            return;
        }
        catch (SocketException e)
        {
            _protocol.ErrorReceived(e);
            return;
        }

        EndPoint from = (_remote ?? (EndPoint)new IPEndPoint(IPAddress.Any, 0)).Create(_from);
        _protocol.DatagramReceived(new ReadOnlySpan<byte>(buffer, 0, n), from);
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
            try
            {
                if (_remote is not null)
                {
                    _socket.Send(data);
                }
                else
                {
                    _socket.SendTo(data, SocketFlags.None, to);
                }

                return;
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.Interrupted)
            {
                _io.SetWriter(_fd, static s => ((DatagramSocketTransport)s!).OnWritable(), this);
            }
            catch (SocketException e)
            {
                _protocol.ErrorReceived(e);
                return;
            }
        }

        _queue.Enqueue((data.ToArray(), _remote is null ? to : null));
        _queued += data.Length;
    }

    private void OnWritable()
    {
        while (_queue.Count > 0)
        {
            var (data, to) = _queue.Peek();
            try
            {
                if (to is null)
                {
                    _socket.Send(data);
                }
                else
                {
                    _socket.SendTo(data, to);
                }
            }
            catch (SocketException e) when (e.SocketErrorCode is SocketError.WouldBlock or SocketError.Interrupted)
            {
                return;
            }
            catch (SocketException e)
            {
                _protocol.ErrorReceived(e);
            }

            _queue.Dequeue();
            _queued -= data.Length;
        }

        _io.SetWriter(_fd, null, null);
        if (_closing)
        {
            Lost(null);
        }
    }

    public override void Close()
    {
        if (_closing)
        {
            return;
        }

        _closing = true;
        _io.SetReader(_fd, null, null);
        if (_queue.Count == 0)
        {
            _loop.EnqueueReady(static s => ((DatagramSocketTransport)s!).Lost(null), this);
        }
    }

    public override void Abort()
    {
        _queue.Clear();
        _queued = 0;
        _closing = true;
        _loop.EnqueueReady(static s => ((DatagramSocketTransport)s!).Lost(null), this);
    }

    private void Lost(Exception? error)
    {
        if (_lost)
        {
            return;
        }

        _lost = true;
        _io.Forget(_fd);
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
