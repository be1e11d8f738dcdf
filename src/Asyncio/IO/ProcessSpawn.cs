using System.ComponentModel;
using System.Diagnostics;

namespace Asyncio.IO;

/// <summary>
/// Starts a child process for the portable backend with <see cref="Process"/> (the epoll backend uses
/// <see cref="PosixSpawn"/>): what is a pipe is redirected, /dev/null is emulated (stdin closed at once, output read
/// and dropped off the loop), the environment replaced when one is given.
/// </summary>
internal static class ProcessSpawn
{
    /// <summary>
    /// Starts <paramref name="file"/> with <paramref name="argv"/> (argv[0] is the program and is not passed again), or
    /// with the raw <paramref name="commandLine"/> when one is given.
    /// </summary>
    /// <exception cref="Win32Exception">The program does not exist or cannot be run.</exception>
    public static Process Start(string file, IReadOnlyList<string> argv, string? commandLine, IReadOnlyDictionary<string, string?>? environment,
        string? workingDirectory, SubprocessRedirect stdin, SubprocessRedirect stdout, SubprocessRedirect stderr)
    {
        var info = new ProcessStartInfo(file)
        {
            UseShellExecute = false,
            CreateNoWindow = true,
            RedirectStandardInput = stdin is SubprocessRedirect.Pipe or SubprocessRedirect.DevNull,
            RedirectStandardOutput = stdout is SubprocessRedirect.Pipe or SubprocessRedirect.DevNull,
            RedirectStandardError = stderr is SubprocessRedirect.Pipe or SubprocessRedirect.DevNull
                || (stderr == SubprocessRedirect.StdOut && stdout is SubprocessRedirect.Pipe or SubprocessRedirect.DevNull),
        };
        if (commandLine is not null)
        {
            info.Arguments = commandLine;
        }
        else
        {
            for (int i = 1; i < argv.Count; i++)
            {
                info.ArgumentList.Add(argv[i]);
            }
        }

        if (workingDirectory is not null)
        {
            info.WorkingDirectory = workingDirectory;
        }

        if (environment is not null)
        {
            info.Environment.Clear();
            foreach (var (key, value) in environment)
            {
                if (value is not null)
                {
                    info.Environment[key] = value;
                }
            }
        }

        var child = new Process { StartInfo = info };
        try
        {
            child.Start();
        }
        catch (Win32Exception e)
        {
            child.Dispose();
            throw new Win32Exception(e.NativeErrorCode,
                $"Cannot start '{file}': {e.Message} Check that the program exists and is executable, or is in PATH.");
        }

        if (stdin == SubprocessRedirect.DevNull)
        {
            child.StandardInput.Close();   // the child reads EOF at once, as from /dev/null
        }

        if (stdout == SubprocessRedirect.DevNull)
        {
            Discard(child.StandardOutput.BaseStream);
        }

        if (stderr == SubprocessRedirect.DevNull || (stderr == SubprocessRedirect.StdOut && stdout == SubprocessRedirect.DevNull))
        {
            Discard(child.StandardError.BaseStream);
        }

        return child;
    }

    /// <summary>Reads and drops what the child writes, off the loop, so it never blocks on a full pipe (as /dev/null would take it).</summary>
    private static void Discard(Stream output) =>
        _ = output.CopyToAsync(Stream.Null).ContinueWith(
            static (t, s) =>
            {
                _ = t.Exception;   // the pipe closed under the copy: nothing to report for output nobody wanted
                ((Stream)s!).Dispose();
            },
            output, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
}
