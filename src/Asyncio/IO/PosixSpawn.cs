using System.Runtime.InteropServices;
using System.Text;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio.IO;

/// <summary>
/// Starts a child process with posix_spawn (no fork from managed code): its stdin/stdout/stderr wired to the given
/// descriptors, every signal back to its default disposition and none blocked (the .NET runtime ignores SIGPIPE, which
/// a child must not inherit).
/// </summary>
internal static unsafe partial class PosixSpawn
{
    private const string Libc = "libc";
    private const short POSIX_SPAWN_SETSIGDEF = 0x04, POSIX_SPAWN_SETSIGMASK = 0x08;

    [LibraryImport(Libc)]
    private static partial int posix_spawn_file_actions_init(void* actions);

    [LibraryImport(Libc)]
    private static partial int posix_spawn_file_actions_destroy(void* actions);

    [LibraryImport(Libc)]
    private static partial int posix_spawn_file_actions_adddup2(void* actions, int fd, int newfd);

    [LibraryImport(Libc)]
    private static partial int posix_spawn_file_actions_addopen(void* actions, int fd, byte* path, int flags, int mode);

    [LibraryImport(Libc)]
    private static partial int posix_spawn_file_actions_addchdir_np(void* actions, byte* path);

    [LibraryImport(Libc)]
    private static partial int posix_spawnattr_init(void* attr);

    [LibraryImport(Libc)]
    private static partial int posix_spawnattr_destroy(void* attr);

    [LibraryImport(Libc)]
    private static partial int posix_spawnattr_setflags(void* attr, short flags);

    [LibraryImport(Libc)]
    private static partial int posix_spawnattr_setsigmask(void* attr, void* sigmask);

    [LibraryImport(Libc)]
    private static partial int posix_spawnattr_setsigdefault(void* attr, void* sigdefault);

    [LibraryImport(Libc)]
    private static partial int sigemptyset(void* set);

    [LibraryImport(Libc)]
    private static partial int sigfillset(void* set);

    [LibraryImport(Libc)]
    private static partial int posix_spawnp(int* pid, byte* file, void* actions, void* attr, byte** argv, byte** envp);

    private const int O_RDWR = 2;

    /// <summary>What the child's descriptor 0, 1 or 2 is: a descriptor of ours to dup2, or /dev/null, or inherited.</summary>
    public readonly record struct ChildFd(int Fd, bool DevNull, bool Inherit);

    /// <summary>Spawns <paramref name="file"/> (searched in PATH) with <paramref name="argv"/> (argv[0] included); returns the pid.</summary>
    public static int Spawn(string file, IReadOnlyList<string> argv, IReadOnlyDictionary<string, string?>? environment, string? workingDirectory,
        ChildFd stdin, ChildFd stdout, ChildFd stderr)
    {
        // Generously sized: glibc's posix_spawn_file_actions_t is 80 bytes, posix_spawnattr_t 336, sigset_t 128.
        byte* actions = stackalloc byte[512];
        byte* attr = stackalloc byte[1024];
        byte* sigset = stackalloc byte[256];
        var allocations = new List<IntPtr>();
        byte* Utf8(string s)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(s + "\0");
            IntPtr p = Marshal.AllocHGlobal(bytes.Length);
            Marshal.Copy(bytes, 0, p, bytes.Length);
            allocations.Add(p);
            return (byte*)p;
        }

        posix_spawn_file_actions_init(actions);
        posix_spawnattr_init(attr);
        try
        {
            byte* devNull = Utf8("/dev/null");
            AddChildFd(actions, stdin, 0, devNull);
            AddChildFd(actions, stdout, 1, devNull);
            AddChildFd(actions, stderr, 2, devNull);
            if (workingDirectory is not null)
            {
                posix_spawn_file_actions_addchdir_np(actions, Utf8(workingDirectory));
            }

            sigemptyset(sigset);
            posix_spawnattr_setsigmask(attr, sigset);
            sigfillset(sigset);
            posix_spawnattr_setsigdefault(attr, sigset);
            posix_spawnattr_setflags(attr, (short)(POSIX_SPAWN_SETSIGDEF | POSIX_SPAWN_SETSIGMASK));

            byte** args = (byte**)Marshal.AllocHGlobal((argv.Count + 1) * sizeof(byte*));
            allocations.Add((IntPtr)args);
            for (int i = 0; i < argv.Count; i++)
            {
                args[i] = Utf8(argv[i]);
            }

            args[argv.Count] = null;

            var env = new List<string>();
            if (environment is null)
            {
                foreach (System.Collections.DictionaryEntry e in Environment.GetEnvironmentVariables())
                {
                    env.Add($"{e.Key}={e.Value}");
                }
            }
            else
            {
                foreach (var (k, v) in environment)
                {
                    if (v is not null)
                    {
                        env.Add($"{k}={v}");
                    }
                }
            }

            byte** envp = (byte**)Marshal.AllocHGlobal((env.Count + 1) * sizeof(byte*));
            allocations.Add((IntPtr)envp);
            for (int i = 0; i < env.Count; i++)
            {
                envp[i] = Utf8(env[i]);
            }

            envp[env.Count] = null;

            int pid;
            int rc = posix_spawnp(&pid, Utf8(file), actions, attr, args, envp);
            if (rc != 0)
            {
                throw new System.ComponentModel.Win32Exception(rc,
                    $"Cannot start '{file}': {Marshal.GetPInvokeErrorMessage(rc)} (errno {rc}). Check that the program exists and is executable, or is in PATH.");
            }

            return pid;
        }
        finally
        {
            posix_spawn_file_actions_destroy(actions);
            posix_spawnattr_destroy(attr);
            foreach (IntPtr p in allocations)
            {
                Marshal.FreeHGlobal(p);
            }
        }
    }

    private static void AddChildFd(byte* actions, ChildFd child, int target, byte* devNull)
    {
        if (child.Inherit)
        {
            return;
        }

        if (child.DevNull)
        {
            posix_spawn_file_actions_addopen(actions, target, devNull, O_RDWR, 0);
        }
        else
        {
            posix_spawn_file_actions_adddup2(actions, child.Fd, target);
        }
    }

    /// <summary>A pipe whose ends close on exec; returns (read end, write end).</summary>
    public static (int Read, int Write) Pipe()
    {
        int* fds = stackalloc int[2];
        if (pipe2(fds, O_CLOEXEC) < 0)
        {
            throw Error("pipe2");
        }

        return (fds[0], fds[1]);
    }
}
