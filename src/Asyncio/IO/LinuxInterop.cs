using System.Runtime.InteropServices;

namespace Asyncio.IO;

/// <summary>The Linux system calls the epoll reactor makes itself (on the loop thread).</summary>
internal static unsafe partial class LinuxInterop
{
    private const string Libc = "libc";

    public const int EPOLL_CTL_ADD = 1, EPOLL_CTL_DEL = 2, EPOLL_CTL_MOD = 3;
    public const uint EPOLLIN = 0x001, EPOLLPRI = 0x002, EPOLLOUT = 0x004, EPOLLERR = 0x008, EPOLLHUP = 0x010, EPOLLRDHUP = 0x2000;
    public const int EPOLL_CLOEXEC = 0x80000;
    public const int EFD_NONBLOCK = 0x800, EFD_CLOEXEC = 0x80000;
    public const int SOCK_NONBLOCK = 0x800, SOCK_CLOEXEC = 0x80000;
    public const int MSG_NOSIGNAL = 0x4000;
    public const int SHUT_WR = 1, SHUT_RDWR = 2;
    public const int SOL_SOCKET = 1, SO_ERROR = 4, SO_REUSEADDR = 2, SO_REUSEPORT = 15;
    public const int F_GETFL = 3, F_SETFL = 4, O_NONBLOCK = 0x800;

    public const int EINTR = 4, EAGAIN = 11, EWOULDBLOCK = 11, EINPROGRESS = 115, ENOSYS = 38, EPERM = 1, EBADF = 9;

    /// <summary>
    /// <c>struct epoll_event</c>: packed (12 bytes) on x86-64, naturally aligned (16 bytes) on other architectures;
    /// the reactor reads both through <see cref="EventSize"/> and the accessors below.
    /// </summary>
    public static readonly int EventSize = RuntimeInformation.ProcessArchitecture is Architecture.X64 or Architecture.X86 ? 12 : 16;

    public static uint EventMask(byte* events, int i) => *(uint*)(events + (i * EventSize));

    public static long EventData(byte* events, int i) => *(long*)(events + (i * EventSize) + (EventSize == 12 ? 4 : 8));

    public static void SetEvent(byte* ev, uint mask, long data)
    {
        *(uint*)ev = mask;
        *(long*)(ev + (EventSize == 12 ? 4 : 8)) = data;
    }

    [LibraryImport(Libc)]
    public static partial uint geteuid();

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int epoll_create1(int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int epoll_ctl(int epfd, int op, int fd, byte* ev);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int epoll_wait(int epfd, byte* events, int maxevents, int timeout);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int eventfd(uint initval, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint read(int fd, byte* buf, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint write(int fd, byte* buf, nint count);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int close(int fd);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint recv(int fd, byte* buf, nint len, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial nint send(int fd, byte* buf, nint len, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int accept4(int fd, byte* addr, int* addrlen, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int connect(int fd, byte* addr, int addrlen);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int shutdown(int fd, int how);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int getsockopt(int fd, int level, int optname, int* optval, int* optlen);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int fcntl(int fd, int cmd, int arg);

    [LibraryImport(Libc, EntryPoint = "syscall", SetLastError = true)]
    private static partial long syscall2(long number, long a, long b);

    /// <summary>pidfd_open(2) through syscall(2) (glibc only wraps it from 2.36): a descriptor readable once the process exits.</summary>
    public static int pidfd_open(int pid) => (int)syscall2(434, pid, 0);   // SYS_pidfd_open is 434 on every architecture

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int pipe2(int* fds, int flags);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int waitpid(int pid, int* status, int options);

    [LibraryImport(Libc, SetLastError = true)]
    public static partial int kill(int pid, int sig);

    [LibraryImport(Libc, EntryPoint = "lstat", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int lstat_raw(string path, byte* buf);

    /// <summary>True if <paramref name="path"/> is a socket file (S_IFSOCK), from lstat's st_mode.</summary>
    public static bool IsSocketFile(string path)
    {
        byte* buf = stackalloc byte[256];
        if (lstat_raw(path, buf) != 0)
        {
            return false;
        }

        int modeOffset = RuntimeInformation.ProcessArchitecture == Architecture.X64 ? 24 : 16;   // struct stat layout
        uint mode = *(uint*)(buf + modeOffset);
        return (mode & 0xF000) == 0xC000;
    }

    /// <summary>waitpid(2) without pointers; returns the pid, 0 (WNOHANG and still running) or -1.</summary>
    public static int WaitPid(int pid, int options, out int status)
    {
        int st = 0;
        int rc = waitpid(pid, &st, options);
        status = st;
        return rc;
    }

    public const int WNOHANG = 1, O_CLOEXEC = 0x80000, ECHILD = 10, ESRCH = 3;

    /// <summary>errno of the last failed call.</summary>
    public static int Errno => Marshal.GetLastPInvokeError();

    public static void SetNonBlocking(int fd)
    {
        int flags = fcntl(fd, F_GETFL, 0);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
        {
            throw Error("fcntl(O_NONBLOCK)");
        }
    }

    public static System.ComponentModel.Win32Exception Error(string call) =>
        new(Errno, $"{call} failed: {Marshal.GetPInvokeErrorMessage(Errno)} (errno {Errno}).");
}
