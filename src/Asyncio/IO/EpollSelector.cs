using System.Runtime.InteropServices;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio.IO;

/// <summary>
/// The loop-owned epoll reactor (Linux): descriptors are registered once, <c>epoll_wait</c> runs in the loop's wait
/// step, and readiness queues the registered callbacks on the loop's ready queue. An eventfd wakes it for
/// thread-safe calls. Level-triggered, as asyncio's <c>selectors.EpollSelector</c>. Loop thread only, except
/// <see cref="Wakeup"/>.
/// </summary>
internal sealed unsafe class EpollSelector : IIoSelector
{
    private const long WakeupData = -1;

    private readonly EventLoop _loop;
    private readonly int _epfd;
    private readonly int _eventfd;
    private byte* _events;
    private int _capacity = 256;
    private FdWatch?[] _watches = new FdWatch?[64];
    private int _watched;   // descriptors with a reader or a writer
    private bool _disposed;

    public EpollSelector(EventLoop loop)
    {
        _loop = loop;
        _epfd = epoll_create1(EPOLL_CLOEXEC);
        if (_epfd < 0)
        {
            throw Error("epoll_create1");
        }

        _eventfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (_eventfd < 0)
        {
            int e = Errno;
            close(_epfd);
            throw new System.ComponentModel.Win32Exception(e, "eventfd failed");
        }

        _events = (byte*)NativeMemory.AllocZeroed((nuint)(_capacity * EventSize));
        byte* ev = stackalloc byte[16];
        SetEvent(ev, EPOLLIN, WakeupData);
        if (epoll_ctl(_epfd, EPOLL_CTL_ADD, _eventfd, ev) < 0)
        {
            throw Error("epoll_ctl(eventfd)");
        }
    }

    public string Name => "epoll";

    public int WatchedCount => _watched;

    public int Select(TimeSpan timeout)
    {
        int ms = timeout == Timeout.InfiniteTimeSpan ? -1
            : timeout <= TimeSpan.Zero ? 0
            : (int)Math.Min(int.MaxValue - 1, Math.Ceiling(timeout.TotalMilliseconds));
        int n = epoll_wait(_epfd, _events, _capacity, ms);
        if (n < 0)
        {
            if (Errno == EINTR)
            {
                return 0;
            }

            throw Error("epoll_wait");
        }

        int delivered = 0;
        for (int i = 0; i < n; i++)
        {
            long data = EventData(_events, i);
            uint mask = EventMask(_events, i);
            if (data == WakeupData)
            {
                ulong value;
                read(_eventfd, (byte*)&value, sizeof(ulong));
                continue;
            }

            int fd = (int)data;
            if ((uint)fd >= (uint)_watches.Length || _watches[fd] is not { } watch)
            {
                continue;
            }

            if ((mask & (EPOLLIN | EPOLLHUP | EPOLLERR | EPOLLRDHUP)) != 0 && watch.Reader is not null)
            {
                _loop.EnqueueReady(FdWatch.RunReader, watch);
                delivered++;
            }

            if ((mask & (EPOLLOUT | EPOLLHUP | EPOLLERR)) != 0 && watch.Writer is not null)
            {
                _loop.EnqueueReady(FdWatch.RunWriter, watch);
                delivered++;
            }
        }

        if (n == _capacity && _capacity < 4096)
        {
            // Many descriptors are busy: take more events per wait.
            NativeMemory.Free(_events);
            _capacity *= 2;
            _events = (byte*)NativeMemory.AllocZeroed((nuint)(_capacity * EventSize));
        }

        return delivered;
    }

    public void Wakeup()
    {
        if (_disposed)
        {
            return;
        }

        ulong one = 1;
        write(_eventfd, (byte*)&one, sizeof(ulong));
    }

    public void SetReader(int fd, Action<object?>? callback, object? state) => Update(fd, reader: true, callback, state);

    public void SetWriter(int fd, Action<object?>? callback, object? state) => Update(fd, reader: false, callback, state);

    public bool HasReader(int fd) => Watch(fd)?.Reader is not null;

    public bool HasWriter(int fd) => Watch(fd)?.Writer is not null;

    private FdWatch? Watch(int fd) => (uint)fd < (uint)_watches.Length ? _watches[fd] : null;

    private void Update(int fd, bool reader, Action<object?>? callback, object? state)
    {
        if (fd < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(fd), fd, "A file descriptor is zero or positive.");
        }

        if (fd >= _watches.Length)
        {
            Array.Resize(ref _watches, Math.Max(fd + 1, _watches.Length * 2));
        }

        FdWatch watch = _watches[fd] ??= new FdWatch(fd);
        bool wasWatched = watch.Reader is not null || watch.Writer is not null;
        if (reader)
        {
            watch.Reader = callback;
            watch.ReaderState = callback is null ? null : state;
        }
        else
        {
            watch.Writer = callback;
            watch.WriterState = callback is null ? null : state;
        }

        uint mask = (watch.Reader is not null ? EPOLLIN : 0) | (watch.Writer is not null ? EPOLLOUT : 0);
        if (mask == watch.Mask)
        {
            return;
        }

        byte* ev = stackalloc byte[16];
        SetEvent(ev, mask, fd);
        int op = watch.Mask == 0 ? EPOLL_CTL_ADD : mask == 0 ? EPOLL_CTL_DEL : EPOLL_CTL_MOD;
        if (epoll_ctl(_epfd, op, fd, ev) < 0)
        {
            int errno = Errno;
            if (op == EPOLL_CTL_DEL && errno == EBADF)
            {
                // The descriptor was closed first: the kernel already forgot it.
            }
            else
            {
                if (reader)
                {
                    watch.Reader = null;
                }
                else
                {
                    watch.Writer = null;
                }

                throw new System.ComponentModel.Win32Exception(errno,
                    $"epoll_ctl could not watch file descriptor {fd}: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno}). Is it open, and a socket, pipe or other pollable descriptor?");
            }
        }

        watch.Mask = mask;
        bool isWatched = mask != 0;
        _watched += (isWatched ? 1 : 0) - (wasWatched ? 1 : 0);
    }

    /// <summary>Forgets <paramref name="fd"/> entirely (before it is closed).</summary>
    public void Forget(int fd)
    {
        if (Watch(fd) is { } watch)
        {
            if (watch.Mask != 0)
            {
                byte* ev = stackalloc byte[16];
                epoll_ctl(_epfd, EPOLL_CTL_DEL, fd, ev);
                _watched--;
            }

            watch.Mask = 0;
            watch.Reader = watch.Writer = null;
            watch.ReaderState = watch.WriterState = null;
        }
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        close(_eventfd);
        close(_epfd);
        NativeMemory.Free(_events);
        _events = null;
    }

    /// <summary>What is registered for one descriptor.</summary>
    private sealed class FdWatch(int fd)
    {
        public readonly int Fd = fd;
        public uint Mask;
        public Action<object?>? Reader;
        public object? ReaderState;
        public Action<object?>? Writer;
        public object? WriterState;

        // The callback is looked up when the ready item runs, so one removed meanwhile does not run.
        public static readonly Action<object?> RunReader = static s =>
        {
            var w = (FdWatch)s!;
            w.Reader?.Invoke(w.ReaderState);
        };

        public static readonly Action<object?> RunWriter = static s =>
        {
            var w = (FdWatch)s!;
            w.Writer?.Invoke(w.WriterState);
        };
    }
}
