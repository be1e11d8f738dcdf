using System.Net.Sockets;

namespace Asyncio.IO;

/// <summary>
/// A stream socket on the portable backend (asyncio's <c>_ProactorSocketTransport</c>). Readability is learnt from a
/// zero-byte <see cref="Socket.ReceiveAsync(Memory{byte}, SocketFlags, CancellationToken)"/> whose completion is posted
/// to the loop; the loop thread then receives without blocking straight into the protocol's buffer, exactly as the
/// epoll transport does, so protocols see the same calls. Writes go out at once when the kernel takes them; the rest
/// is sent by one asynchronous send at a time while later writes queue behind it.
/// </summary>
/// <remarks>
/// Invariants: a zero-byte receive is outstanding and watched iff <see cref="StreamSocketTransport.WantsToRead"/>
/// (one left outstanding after a pause is unwatched, and its completion is ignored); an asynchronous send is
/// outstanding iff <see cref="WriteBuffer.InFlight"/> is positive.
/// </remarks>
internal sealed class CompletionSocketTransport : StreamSocketTransport
{
    private readonly CompletionSlot<int> _readable;
    private readonly CompletionSlot<int> _send;

    public CompletionSocketTransport(EventLoop loop, Socket socket, Protocol protocol, Server? server, Future<bool>? waiter,
        SocketException? resetAfterData = null)
        : base(loop, socket, protocol, server, waiter, resetAfterData)
    {
        CompletionSelector io = loop.Completions!;
        _readable = new CompletionSlot<int>(io, this, static slot => ((CompletionSocketTransport)slot.Owner).OnReadable());
        _send = new CompletionSlot<int>(io, this, static slot => ((CompletionSocketTransport)slot.Owner).OnSent());
    }

    protected override void UpdateReader()
    {
        bool want = WantsToRead;
        if (!want || _readable.IsPending)
        {
            _readable.Watched = want;
            return;
        }

        _readable.Start(_socket, static s => s.ReceiveAsync(Memory<byte>.Empty, SocketFlags.None));
    }

    private void OnReadable()
    {
        _readable.Finish();
        if (_connLost > 0)
        {
            return;   // aborted by the close, or arrived after it
        }

        if (_readable.Error is { } error)
        {
            // The error (a reset, say) was taken off the socket by the zero-byte receive: report it, don't read for it.
            FatalError(SocketErrors.From(error), "Fatal read error on socket transport");
            return;
        }

        if (WantsToRead)
        {
            ReadOnce();
        }

        UpdateReader();
    }

    protected override int TryReceive(Span<byte> buffer, out SocketException? error)
    {
        int n = _socket.Receive(buffer, SocketFlags.None, out SocketError status);
        error = status is SocketError.Success or SocketError.WouldBlock or SocketError.Interrupted ? null : new SocketException((int)status);
        return status == SocketError.Success ? n : -1;
    }

    protected override int TryWriteNow(ReadOnlySpan<byte> data)
    {
        int n = _socket.Send(data, SocketFlags.None, out SocketError status);
        if (status == SocketError.Success)
        {
            return n;
        }

        if (status is SocketError.WouldBlock or SocketError.Interrupted)
        {
            return 0;
        }

        OnWriteError(new SocketException((int)status));
        return -1;
    }

    protected override void StartWriting()
    {
        if (_out.InFlight == 0 && _out.Count > 0)
        {
            _send.Start((_socket, _out.BeginSend()), static s => s.Item1.SendAsync(s.Item2, SocketFlags.None));
        }
    }

    private void OnSent()
    {
        _send.Finish();
        if (_connLost > 0)
        {
            return;   // the buffer was dropped by an abort; this send's outcome goes nowhere
        }

        if (_send.Error is { } error)
        {
            OnWriteError(SocketErrors.From(error));
            return;
        }

        _out.EndSend(_send.Result);
        StartWriting();   // what was written meanwhile, or the rest of a partial send
        OnWriteProgress();
    }

    /// <summary>A send in flight cannot be recalled: its completion finds the buffer dropped and does nothing.</summary>
    protected override void StopWriting()
    {
    }

    /// <summary>
    /// Disposing the socket aborts what is outstanding, which stops counting as watched I/O at once. .NET closes a
    /// socket with an operation outstanding abortively (RST) unless its sending side was shut down, so that is done
    /// first: the peer sees the orderly end it sees on epoll, unless the user asked for RST with a zero linger.
    /// </summary>
    protected override void ReleaseIo()
    {
        _readable.Watched = false;
        _send.Watched = false;
        try
        {
            if (_socket.LingerState is not { Enabled: true, LingerTime: 0 })
            {
                _socket.Shutdown(SocketShutdown.Send);
            }
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException)
        {
            // reset by the peer, or closed by the user already: nothing orderly left to do
        }
    }
}
