using Asyncio.IO;
using static Asyncio.IO.LinuxInterop;

namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Starts <paramref name="program"/> (searched in PATH) with <paramref name="arguments"/>, without a shell
    /// (asyncio's <c>create_subprocess_exec</c>). Each standard stream is inherited unless redirected: with
    /// <see cref="SubprocessRedirect.Pipe"/> it becomes a loop-owned stream on the returned process.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="program"/> is null.</exception>
    /// <exception cref="ArgumentException"><paramref name="stdin"/> or <paramref name="stdout"/> is <see cref="SubprocessRedirect.StdOut"/>.</exception>
    /// <exception cref="System.ComponentModel.Win32Exception">The program does not exist or cannot be run.</exception>
    public static async Coroutine<AioProcess> CreateSubprocessExec(string program, IEnumerable<string>? arguments = null,
        SubprocessRedirect stdin = SubprocessRedirect.Inherit, SubprocessRedirect stdout = SubprocessRedirect.Inherit,
        SubprocessRedirect stderr = SubprocessRedirect.Inherit, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, int limit = AioStreamReader.DefaultLimit)
    {
        ArgumentNullException.ThrowIfNull(program);
        var argv = new List<string> { program };
        if (arguments is not null)
        {
            argv.AddRange(arguments);
        }

        return await SpawnAsync(program, argv, stdin, stdout, stderr, workingDirectory, environment, limit);
    }

    /// <summary>
    /// Runs <paramref name="command"/> through <c>/bin/sh -c</c> (on Windows <c>%COMSPEC% /c</c>, as asyncio does)
    /// (asyncio's <c>create_subprocess_shell</c>); see <see cref="CreateSubprocessExec"/>. Quote what the shell must not
    /// interpret.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="command"/> is null.</exception>
    public static async Coroutine<AioProcess> CreateSubprocessShell(string command,
        SubprocessRedirect stdin = SubprocessRedirect.Inherit, SubprocessRedirect stdout = SubprocessRedirect.Inherit,
        SubprocessRedirect stderr = SubprocessRedirect.Inherit, string? workingDirectory = null,
        IReadOnlyDictionary<string, string?>? environment = null, int limit = AioStreamReader.DefaultLimit)
    {
        ArgumentNullException.ThrowIfNull(command);
        if (OperatingSystem.IsWindows())
        {
            // cmd.exe parses its own command line: it gets the command as asyncio passes it, not .NET's argument quoting.
            string comspec = Environment.GetEnvironmentVariable("COMSPEC") ?? "cmd.exe";
            return await SpawnAsync(comspec, [comspec], stdin, stdout, stderr, workingDirectory, environment, limit, commandLine: $"/c \"{command}\"");
        }

        return await SpawnAsync("/bin/sh", ["/bin/sh", "-c", command], stdin, stdout, stderr, workingDirectory, environment, limit);
    }

    /// <summary>Spawns on the loop's backend; <paramref name="commandLine"/>, when given, is the raw command line after the program instead of argv's arguments (the Windows shell).</summary>
    private static async Coroutine<AioProcess> SpawnAsync(string program, List<string> argv, SubprocessRedirect stdin, SubprocessRedirect stdout,
        SubprocessRedirect stderr, string? workingDirectory, IReadOnlyDictionary<string, string?>? environment, int limit, string? commandLine = null)
    {
        if (stdin == SubprocessRedirect.StdOut || stdout == SubprocessRedirect.StdOut)
        {
            throw new ArgumentException("SubprocessRedirect.StdOut is only for stderr (it sends stderr to wherever stdout goes).");
        }

        EventLoop loop = RunningLoop(nameof(CreateSubprocessExec));
        loop.CheckCallable(nameof(CreateSubprocessExec));
        if (loop.IoBackend == IoBackend.Portable)
        {
            return await SpawnPortableAsync(loop, program, argv, commandLine, stdin, stdout, stderr, workingDirectory, environment, limit);
        }

        var parentEnds = new List<int>();
        var childEnds = new List<int>();
        (int Read, int Write)? inPipe = null, outPipe = null, errPipe = null;
        try
        {
            PosixSpawn.ChildFd Child(SubprocessRedirect r, bool isInput, ref (int Read, int Write)? pipe)
            {
                switch (r)
                {
                    case SubprocessRedirect.Pipe:
                        pipe = PosixSpawn.Pipe();
                        parentEnds.Add(isInput ? pipe.Value.Write : pipe.Value.Read);
                        childEnds.Add(isInput ? pipe.Value.Read : pipe.Value.Write);
                        return new PosixSpawn.ChildFd(isInput ? pipe.Value.Read : pipe.Value.Write, false, false);
                    case SubprocessRedirect.DevNull:
                        return new PosixSpawn.ChildFd(-1, true, false);
                    default:
                        return new PosixSpawn.ChildFd(-1, false, true);
                }
            }

            PosixSpawn.ChildFd childIn = Child(stdin, true, ref inPipe);
            PosixSpawn.ChildFd childOut = Child(stdout, false, ref outPipe);
            PosixSpawn.ChildFd childErr = stderr == SubprocessRedirect.StdOut
                ? (childOut.Inherit ? new PosixSpawn.ChildFd(1, false, false) : childOut)
                : Child(stderr, false, ref errPipe);

            int pid = PosixSpawn.Spawn(program, argv, environment, workingDirectory, childIn, childOut, childErr);
            foreach (int fd in childEnds)
            {
                close(fd);
            }

            childEnds.Clear();
            var process = new AioProcess(loop, pid);
            parentEnds.Clear();   // the transports own them from here
            await AttachPipes(loop, process, limit,
                inPipe is { } ip ? p => new FdPipeTransport(loop, ip.Write, readable: false, p) : null,
                outPipe is { } op ? p => new FdPipeTransport(loop, op.Read, readable: true, p) : null,
                errPipe is { } ep ? p => new FdPipeTransport(loop, ep.Read, readable: true, p) : null);
            process.WatchExit();
            return process;
        }
        finally
        {
            foreach (int fd in childEnds.Concat(parentEnds))
            {
                close(fd);
            }
        }
    }

    /// <summary>
    /// The portable backend's spawn: <see cref="System.Diagnostics.Process"/> starts the child, its redirected
    /// streams become loop transports, and its exit is posted to the loop.
    /// </summary>
    private static async Coroutine<AioProcess> SpawnPortableAsync(EventLoop loop, string program, List<string> argv, string? commandLine,
        SubprocessRedirect stdin, SubprocessRedirect stdout, SubprocessRedirect stderr, string? workingDirectory,
        IReadOnlyDictionary<string, string?>? environment, int limit)
    {
        System.Diagnostics.Process child = ProcessSpawn.Start(program, argv, commandLine, environment, workingDirectory, stdin, stdout, stderr);
        var process = new AioProcess(loop, child);
        bool mergeErr = stderr == SubprocessRedirect.StdOut;
        await AttachPipes(loop, process, limit,
            stdin == SubprocessRedirect.Pipe ? p => StreamPipeTransport.Writing(loop, p, child.StandardInput.BaseStream) : null,
            stdout == SubprocessRedirect.Pipe
                ? p => mergeErr
                    ? StreamPipeTransport.Reading(loop, p, child.StandardOutput.BaseStream, child.StandardError.BaseStream)
                    : StreamPipeTransport.Reading(loop, p, child.StandardOutput.BaseStream)
                : null,
            stderr == SubprocessRedirect.Pipe ? p => StreamPipeTransport.Reading(loop, p, child.StandardError.BaseStream) : null);
        process.WatchExit();
        return process;
    }

    /// <summary>
    /// Wires the parent's ends of a child's pipes to streams on <paramref name="process"/>: each factory makes the
    /// transport of one end for the protocol it is given (null: that stream is not a pipe).
    /// </summary>
    private static async Coroutine AttachPipes(EventLoop loop, AioProcess process, int limit,
        Func<Protocol, Transport>? stdin, Func<Protocol, Transport>? stdout, Func<Protocol, Transport>? stderr)
    {
        if (stdin is not null)
        {
            var protocol = new StreamProtocol(loop, null, null, process);
            stdin(protocol);
            process.PipeOpened();
            await Sleep(0);   // let ConnectionMade run so the writer exists
            process.StandardInput = protocol.Writer;
        }

        process.StandardOutput = AttachReader(stdout);
        process.StandardError = AttachReader(stderr);

        AioStreamReader? AttachReader(Func<Protocol, Transport>? transport)
        {
            if (transport is null)
            {
                return null;
            }

            var reader = new AioStreamReader(limit);
            transport(new StreamProtocol(loop, reader, null, process));
            process.PipeOpened();
            return reader;
        }
    }
}
