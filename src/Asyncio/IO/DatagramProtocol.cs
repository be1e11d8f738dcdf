using System.Net;

namespace Asyncio;

/// <summary>The callbacks of a datagram endpoint (asyncio's <c>DatagramProtocol</c>). All run on the loop thread.</summary>
public abstract class DatagramProtocol
{
    /// <summary>The endpoint is ready; keep <paramref name="transport"/> to send and close.</summary>
    public virtual void ConnectionMade(DatagramTransport transport)
    {
    }

    /// <summary>A datagram arrived from <paramref name="address"/>; <paramref name="data"/> is valid only during the call.</summary>
    public virtual void DatagramReceived(ReadOnlySpan<byte> data, EndPoint address)
    {
    }

    /// <summary>A send or receive failed (for example ICMP port unreachable on a connected endpoint); the endpoint stays open.</summary>
    public virtual void ErrorReceived(Exception error)
    {
    }

    /// <summary>The endpoint is closed.</summary>
    public virtual void ConnectionLost(Exception? error)
    {
    }
}

/// <summary>A UDP endpoint driven by the loop (asyncio's <c>DatagramTransport</c>). Loop thread only.</summary>
public abstract class DatagramTransport
{
    /// <summary>The loop.</summary>
    public abstract EventLoop Loop { get; }

    /// <summary>True once closing.</summary>
    public abstract bool IsClosing { get; }

    /// <summary>Bytes of datagrams waiting to be sent.</summary>
    public abstract int WriteBufferSize { get; }

    /// <summary>
    /// Sends one datagram to <paramref name="address"/>, or to the remote address the endpoint was created with when
    /// null. Never blocks: datagrams the kernel does not take at once are queued.
    /// </summary>
    /// <exception cref="ArgumentException">The endpoint is connected to another address.</exception>
    /// <exception cref="InvalidOperationException">No address given and the endpoint has no remote address.</exception>
    public abstract void SendTo(ReadOnlySpan<byte> data, EndPoint? address = null);

    /// <summary>Closes after the queued datagrams are sent.</summary>
    public abstract void Close();

    /// <summary>Closes at once, dropping queued datagrams.</summary>
    public abstract void Abort();

    /// <summary>"sockname", "peername", "socket".</summary>
    public abstract object? GetExtraInfo(string name);
}
