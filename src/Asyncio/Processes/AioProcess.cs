using Asyncio.IO;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio;

/// <summary>
/// A child process started by <see cref="Aio.CreateSubprocessExec"/> or <see cref="Aio.CreateSubprocessShell"/>
/// (asyncio's <c>asyncio.subprocess.Process</c>). Its pipes are loop-owned streams. On the epoll backend its exit is
/// observed by the loop through a pidfd (Linux 5.3+), not by a thread per child; on the portable backend .NET's
/// <see cref="System.Diagnostics.Process"/> reports it and the loop is told. Loop thread only.
/// </summary>
public sealed class AioProcess
{
    private readonly EventLoop _loop;
    private readonly List<Future<int>> _waiters = new();
    private int _openPipes;
    private bool _exited;
    private int _pidfd = -1;

    /// <summary>The child as .NET started it, on the portable backend; null on epoll (posix_spawn and a pidfd).</summary>
    private readonly System.Diagnostics.Process? _child;

    /// <summary>Portable backend on Unix: the signals this process was sent, to read .NET's 128+N exit codes back as -N.</summary>
    private HashSet<int>? _signalsSent;

    internal AioProcess(EventLoop loop, int pid)
    {
        _loop = loop;
        Pid = pid;
    }

    internal AioProcess(EventLoop loop, System.Diagnostics.Process child)
        : this(loop, child.Id)
    {
        _child = child;
    }

    /// <summary>The process id.</summary>
    public int Pid { get; }

    /// <summary>
    /// The exit code once the process has exited and been reaped (asyncio's <c>returncode</c>): its exit status, or
    /// minus the signal number that killed it; null while it runs.
    /// </summary>
    public int? ReturnCode { get; private set; }

    /// <summary>The child's stdin, when it is a pipe.</summary>
    public AioStreamWriter? StandardInput { get; internal set; }

    /// <summary>The child's stdout, when it is a pipe.</summary>
    public AioStreamReader? StandardOutput { get; internal set; }

    /// <summary>The child's stderr, when it is a pipe.</summary>
    public AioStreamReader? StandardError { get; internal set; }

    internal void PipeOpened() => _openPipes++;

    internal void PipeClosed()
    {
        _openPipes--;
        TryFinish();
    }

    /// <summary>
    /// Starts watching for the exit: on epoll a pidfd in the reactor, or a waiting thread where pidfds are not available;
    /// on the portable backend <see cref="System.Diagnostics.Process.WaitForExitAsync"/>, posted to the loop.
    /// </summary>
    internal void WatchExit()
    {
        _loop.BeginOffLoopWork();   // virtual time waits for the child
        if (_child is { } child)
        {
            child.WaitForExitAsync().ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
                _loop.TryPost(static s => ((AioProcess)s!).OnChildExited(), this));
            return;
        }

        int pidfd = pidfd_open(Pid);
        if (pidfd >= 0)
        {
            _pidfd = pidfd;
            _loop.Io.SetReader(pidfd, static s => ((AioProcess)s!).OnPidfdReadable(), this);
            return;
        }

        int errno = Errno;
        if (errno is not (ENOSYS or EPERM))
        {
            _loop.LogWarning($"pidfd_open({Pid}) failed with errno {errno}; watching the child with a thread instead.");
        }

        var thread = new Thread(static s =>
        {
            var p = (AioProcess)s!;
            int status;
            int rc;
            do
            {
                rc = WaitPid(p.Pid, 0, out status);
            }
            while (rc < 0 && Errno == EINTR);
            int code = rc == p.Pid ? Decode(status) : 255;
            p._loop.TryPost(static x =>
            {
                var (proc, c) = ((AioProcess, int))x!;
                proc.OnExited(c);
            }, (p, code));
        })
        {
            IsBackground = true,
            Name = $"aio-waitpid-{Pid}",
        };
        thread.Start(this);
    }

    private void OnPidfdReadable()
    {
        int rc = WaitPid(Pid, WNOHANG, out int status);
        if (rc == 0)
        {
            return;   // not reaped yet (spurious readiness)
        }

        _loop.Io.Forget(_pidfd);
        close(_pidfd);
        _pidfd = -1;
        OnExited(rc == Pid ? Decode(status) : 255);
    }

    /// <summary>
    /// The portable backend's exit: .NET reports a child killed by signal N as 128+N on Unix; when N is a signal this
    /// process sent, it is read back as -N, asyncio's return code for it.
    /// </summary>
    private void OnChildExited()
    {
        int code = _child!.ExitCode;
        if (!OperatingSystem.IsWindows() && code > 128 && _signalsSent is { } sent && sent.Contains(code - 128))
        {
            code = -(code - 128);
        }

        OnExited(code);
    }

    private static int Decode(int status)
    {
        int signal = status & 0x7f;
        return signal == 0 ? (status >> 8) & 0xff : -signal;
    }

    private void OnExited(int code)
    {
        if (_exited)
        {
            return;
        }

        _exited = true;
        ReturnCode = code;
        _loop.EndOffLoopWork();
        TryFinish();
    }

    private void TryFinish()
    {
        if (!_exited || _openPipes > 0)
        {
            return;
        }

        foreach (Future<int> w in _waiters)
        {
            w.TrySetResult(ReturnCode!.Value);
        }

        _waiters.Clear();
        _child?.Dispose();   // exited and every pipe closed: its handles can go
    }

    /// <summary>
    /// Waits until the process has exited and its pipes are closed, and returns <see cref="ReturnCode"/> (asyncio's
    /// <c>wait()</c>). With pipes, read them (or use <see cref="CommunicateAsync"/>): a child blocked writing to a full
    /// pipe never exits.
    /// </summary>
    public async Coroutine<int> WaitAsync()
    {
        if (_exited && _openPipes == 0)
        {
            return ReturnCode!.Value;
        }

        var waiter = _loop.CreateFuture<int>();
        _waiters.Add(waiter);
        return await waiter;
    }

    /// <summary>
    /// Sends <paramref name="input"/> to stdin (then closes it), reads stdout and stderr to their end, waits for the exit,
    /// and returns what was read (asyncio's <c>communicate</c>). A stream that is not a pipe gives an empty array.
    /// </summary>
    /// <exception cref="InvalidOperationException"><paramref name="input"/> is given but stdin is not a pipe.</exception>
    public async Coroutine<(byte[] Output, byte[] Error)> CommunicateAsync(byte[]? input = null)
    {
        if (input is not null && StandardInput is null)
        {
            throw new InvalidOperationException("CommunicateAsync got input, but the process's stdin is not a pipe: start it with stdin: SubprocessRedirect.Pipe.");
        }

        var (_, output, error) = await Aio.Gather(FeedStdin(input), ReadAll(StandardOutput), ReadAll(StandardError));
        await WaitAsync();
        return (output, error);
    }

    private async Coroutine<bool> FeedStdin(byte[]? input)
    {
        if (StandardInput is not { } stdin)
        {
            return true;
        }

        try
        {
            if (input is not null && input.Length > 0)
            {
                stdin.Write(input);
                await stdin.DrainAsync();
            }
        }
        catch (IOException)
        {
            // The child exited or closed its stdin without reading everything (asyncio ignores BrokenPipe here too).
        }
        catch (InvalidOperationException) when (stdin.IsClosing)
        {
        }

        stdin.Close();
        return true;
    }

    private static async Coroutine<byte[]> ReadAll(AioStreamReader? reader) => reader is null ? Array.Empty<byte>() : await reader.ReadAsync(-1);

    /// <summary>
    /// Sends <paramref name="signal"/> to the process (asyncio's <c>send_signal</c>); nothing if it has already exited.
    /// On Windows only <see cref="Terminate"/> (15) and <see cref="Kill"/> (9) exist, and both end the process.
    /// </summary>
    /// <exception cref="System.ComponentModel.Win32Exception">The signal could not be sent.</exception>
    /// <exception cref="ArgumentOutOfRangeException">On Windows, a signal other than 9 or 15.</exception>
    public void SendSignal(int signal)
    {
        if (_exited)
        {
            return;
        }

        if (_child is { } child)
        {
            if (OperatingSystem.IsWindows())
            {
                if (signal is not (9 or 15))
                {
                    throw new ArgumentOutOfRangeException(nameof(signal), signal, "On Windows a child process can only be terminated: send 15 (Terminate) or 9 (Kill).");
                }

                try
                {
                    child.Kill();
                }
                catch (InvalidOperationException)
                {
                    // it exited meanwhile: nothing to end
                }

                return;
            }

            (_signalsSent ??= new HashSet<int>()).Add(signal);
        }

        if (kill(Pid, signal) < 0 && Errno != ESRCH)
        {
            throw Error($"kill({Pid}, {signal})");
        }
    }

    /// <summary>Asks the process to stop (SIGTERM).</summary>
    public void Terminate() => SendSignal(15);

    /// <summary>Kills the process (SIGKILL).</summary>
    public void Kill() => SendSignal(9);

    /// <inheritdoc/>
    public override string ToString() => $"<AioProcess {Pid} {(ReturnCode is int c ? $"returncode={c}" : "running")}>";
}
