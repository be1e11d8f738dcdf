namespace Asyncio.IO;

/// <summary>Chooses the loop's I/O reactor: epoll on Linux, the portable one elsewhere or when <c>ASYNCIO_SELECTOR=portable</c>.</summary>
internal static class IoSelectorFactory
{
    public static IIoSelector Create(EventLoop loop)
    {
        string? forced = Environment.GetEnvironmentVariable("ASYNCIO_SELECTOR");
        if (string.Equals(forced, "portable", StringComparison.OrdinalIgnoreCase) || !OperatingSystem.IsLinux())
        {
            throw new PlatformNotSupportedException(
                "The portable I/O backend (for macOS and Windows, or ASYNCIO_SELECTOR=portable) is not available in this build; " +
                "on Linux unset ASYNCIO_SELECTOR to use epoll.");
        }

        if (forced is not null && forced.Length > 0 && !string.Equals(forced, "epoll", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"ASYNCIO_SELECTOR is '{forced}'; valid values are 'epoll' and 'portable'.");
        }

        return new EpollSelector(loop);
    }
}
