namespace Asyncio;

/// <summary>Which I/O backend serves a loop's sockets, pipes and subprocesses (see <see cref="LoopOptions.IoBackend"/>).</summary>
public enum IoBackend
{
    /// <summary>
    /// The <c>ASYNCIO_SELECTOR</c> environment variable when it is set (<c>epoll</c> or <c>portable</c>), else
    /// <see cref="Epoll"/> on Linux and <see cref="Portable"/> everywhere else.
    /// </summary>
    Auto,

    /// <summary>
    /// The loop-owned epoll reactor (Linux only): the loop thread waits in <c>epoll_wait</c> and calls
    /// <c>recv</c>/<c>send</c> itself. The only backend with readiness callbacks (<see cref="EventLoop.AddReader(int, Action)"/>).
    /// </summary>
    Epoll,

    /// <summary>
    /// The completion-based backend (macOS, Windows, and Linux on request), asyncio's Proactor counterpart: .NET
    /// <see cref="System.Net.Sockets.Socket"/> and pipe operations run off the loop and their completions are posted
    /// to it. Transports, streams, servers, UDP, TLS, subprocesses and the <c>Sock*Async</c> methods work as on epoll;
    /// readiness callbacks do not exist here and throw <see cref="NotSupportedException"/>.
    /// </summary>
    Portable,
}
