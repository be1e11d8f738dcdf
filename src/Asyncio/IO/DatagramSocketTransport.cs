using System.Net;
using System.Net.Sockets;

namespace Asyncio.IO;

/// <summary>A UDP socket on the epoll reactor (asyncio's <c>_SelectorDatagramTransport</c>): readiness callbacks, non-blocking receives and sends.</summary>
internal sealed class DatagramSocketTransport : SocketDatagramTransport
{
    private readonly IIoSelector _io;
    private readonly SocketAddress _from;

    public DatagramSocketTransport(EventLoop loop, Socket socket, DatagramProtocol protocol, EndPoint? remote, Future<bool> ready)
        : base(loop, socket, protocol, remote, ready)
    {
        _io = loop.Io;
        _from = new SocketAddress(socket.AddressFamily);
    }

    protected override void StartReading() => _io.SetReader(_fd, static s => ((DatagramSocketTransport)s!).OnReadable(), this);

    protected override void StopReading() => _io.SetReader(_fd, null, null);

    protected override void StartWriting() => _io.SetWriter(_fd, static s => ((DatagramSocketTransport)s!).OnWritable(), this);

    protected override void ReleaseIo() => _io.Forget(_fd);

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

        Deliver(new ReadOnlySpan<byte>(buffer, 0, n), _from);
    }

    private void OnWritable()
    {
        while (_queue.Count > 0)
        {
            var (data, to) = _queue.Peek();
            if (!TrySendNow(data, to))
            {
                return;
            }

            if (!Dequeue())
            {
                break;
            }
        }

        if (!_lost)
        {
            _io.SetWriter(_fd, null, null);
        }
    }
}
