using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace Asyncio.IO;

/// <summary>
/// The socket set-up whose system numbers differ between operating systems (the listening options, and telling a
/// stale Unix socket file from a file in the way), for both backends. Linux keeps the raw values the epoll backend
/// always used.
/// </summary>
internal static unsafe partial class PlatformSockets
{
    // SOL_SOCKET, SO_REUSEADDR, SO_REUSEPORT: Linux, then the BSD values macOS uses.
    private const int LinuxSolSocket = 1, LinuxReuseAddr = 2, LinuxReusePort = 15;
    private const int BsdSolSocket = 0xffff, BsdReuseAddr = 0x4, BsdReusePort = 0x200;

    /// <summary>
    /// SO_REUSEADDR on a listening socket, as asyncio does on Unix (a restarted server binds at once). Not on Windows,
    /// where the option lets another socket take the port over (asyncio leaves it off there too).
    /// </summary>
    public static void SetReuseAddress(Socket socket)
    {
        if (OperatingSystem.IsWindows())
        {
            return;
        }

        bool linux = OperatingSystem.IsLinux();
        SocketOps.SetIntOption(socket, linux ? LinuxSolSocket : BsdSolSocket, linux ? LinuxReuseAddr : BsdReuseAddr, 1);
    }

    /// <summary>SO_REUSEPORT (several sockets share a port, the kernel spreads the load).</summary>
    /// <exception cref="PlatformNotSupportedException">On Windows, which has no SO_REUSEPORT.</exception>
    public static void SetReusePort(Socket socket)
    {
        if (OperatingSystem.IsWindows())
        {
            throw new PlatformNotSupportedException("reusePort needs SO_REUSEPORT, which Windows does not have; leave reusePort false there.");
        }

        bool linux = OperatingSystem.IsLinux();
        SocketOps.SetIntOption(socket, linux ? LinuxSolSocket : BsdSolSocket, linux ? LinuxReusePort : BsdReusePort, 1);
    }

    /// <summary>
    /// True if <paramref name="path"/> is a Unix domain socket file (a stale one may be replaced). Where the type
    /// cannot be told, false: a file is never removed unless it is known to be a socket.
    /// </summary>
    public static bool IsSocketFile(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            return LinuxInterop.IsSocketFile(path);
        }

        if (OperatingSystem.IsWindows())
        {
            // An AF_UNIX socket file is a reparse point that is not a link.
            var info = new FileInfo(path);
            return info.Exists && (info.Attributes & FileAttributes.ReparsePoint) != 0 && info.LinkTarget is null;
        }

        if (OperatingSystem.IsMacOS())
        {
            // struct stat with 64-bit inodes: st_dev (4 bytes), then st_mode (2 bytes).
            byte* buf = stackalloc byte[512];
            int rc = RuntimeInformation.ProcessArchitecture == Architecture.Arm64 ? lstat(path, buf) : lstat_inode64(path, buf);
            return rc == 0 && (*(ushort*)(buf + 4) & 0xF000) == 0xC000;
        }

        return false;
    }

    [LibraryImport("libc", EntryPoint = "lstat", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat(string path, byte* buf);

    [LibraryImport("libc", EntryPoint = "lstat$INODE64", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat_inode64(string path, byte* buf);
}
