namespace Asyncio.IO;

/// <summary>Creates the loop's I/O reactor for the backend its options resolved to (see <see cref="LoopOptions.IoBackend"/>).</summary>
internal static class IoSelectorFactory
{
    public static IIoSelector Create(EventLoop loop, IoBackend backend) => backend switch
    {
        IoBackend.Epoll => new EpollSelector(loop),
        IoBackend.Portable => new CompletionSelector(loop),
        _ => throw new ArgumentOutOfRangeException(nameof(backend), backend, "The loop's I/O backend is resolved to Epoll or Portable before a reactor is made."),
    };
}
