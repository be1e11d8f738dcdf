using System.Net;
using System.Net.Sockets;

namespace Asyncio.IO;

/// <summary>
/// A UDP socket on the portable backend (asyncio's <c>_ProactorDatagramTransport</c>): one asynchronous receive into
/// a buffer of its own is always outstanding while reading, and queued datagrams go out one asynchronous send at a
/// time. Completions are posted to the loop, so the protocol sees its calls on the loop thread.
/// </summary>
/// <remarks>Invariants: a receive is outstanding and watched iff the transport is open and not closing; a send is outstanding iff the queue is not empty and the kernel refused the head at once.</remarks>
internal sealed class CompletionDatagramTransport : SocketDatagramTransport
{
    private readonly CompletionSlot<int> _receive;
    private readonly CompletionSlot<int> _send;
    private readonly SocketAddress _from;
    private readonly byte[] _buffer = new byte[MaxDatagram];

    public CompletionDatagramTransport(EventLoop loop, Socket socket, DatagramProtocol protocol, EndPoint? remote, Future<bool> ready)
        : base(loop, socket, protocol, remote, ready)
    {
        CompletionSelector io = loop.Completions!;
        _from = new SocketAddress(socket.AddressFamily);
        _receive = new CompletionSlot<int>(io, this, static slot => ((CompletionDatagramTransport)slot.Owner).OnReceived());
        _send = new CompletionSlot<int>(io, this, static slot => ((CompletionDatagramTransport)slot.Owner).OnSent());
    }

    protected override void StartReading()
    {
        if (!_receive.IsPending)
        {
            _receive.Start(this, static t => t._socket.ReceiveFromAsync(t._buffer, SocketFlags.None, t._from));
        }
    }

    protected override void StopReading() => _receive.Watched = false;   // the close disposes the socket, which aborts it

    private void OnReceived()
    {
        _receive.Finish();
        if (_lost || _closing)
        {
            return;
        }

        if (_receive.Error is { } error)
        {
            _protocol.ErrorReceived(SocketErrors.From(error));   // an ICMP error on a connected endpoint, say: it stays open
        }
        else
        {
            Deliver(new ReadOnlySpan<byte>(_buffer, 0, _receive.Result), _from);
        }

        if (!_lost && !_closing)
        {
            StartReading();
        }
    }

    protected override void StartWriting()
    {
        var (data, to) = _queue.Peek();
        _send.Start((_socket, data, to), static s => s.to is null
            ? s.Item1.SendAsync(s.data.AsMemory(), SocketFlags.None, CancellationToken.None)
            : s.Item1.SendToAsync(s.data.AsMemory(), SocketFlags.None, s.to, CancellationToken.None));
    }

    private void OnSent()
    {
        _send.Finish();
        if (_lost || _queue.Count == 0)
        {
            return;   // aborted
        }

        if (_send.Error is { } error)
        {
            _protocol.ErrorReceived(SocketErrors.From(error));   // the datagram is dropped, as on epoll
        }

        if (Dequeue())
        {
            StartWriting();
        }
    }

    protected override void ReleaseIo()
    {
        _receive.Watched = false;
        _send.Watched = false;
    }
}
