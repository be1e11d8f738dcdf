using System.Net.Sockets;

namespace Asyncio.IO;

/// <summary>The error of a failed .NET socket operation as the <see cref="SocketException"/> the transports report.</summary>
internal static class SocketErrors
{
    /// <summary>
    /// <paramref name="error"/> itself when it is a <see cref="SocketException"/>; an abort by a socket disposed
    /// meanwhile as OperationAborted; anything else wrapped, so the cause is kept.
    /// </summary>
    public static SocketException From(Exception error) => error switch
    {
        SocketException socket => socket,
        ObjectDisposedException or OperationCanceledException => new SocketException((int)SocketError.OperationAborted),
        IOException { InnerException: SocketException inner } => inner,
        _ => new SocketException((int)SocketError.SocketError, $"The socket operation failed: {error.Message}"),
    };
}
