using System.Text;

namespace Asyncio.Samples.Net;

/// <summary>
/// <c>ls DIR | grep PATTERN</c> from two <see cref="Aio.CreateSubprocessExec"/> children: the loop reads the first
/// one's stdout and writes it to the second one's stdin (with drain, so a slow consumer holds the producer back), and
/// collects the second one's stdout at the same time.
/// </summary>
/// <example><c>dotnet run --project samples/Pipeline -- /usr/bin py</c></example>
public static class Pipeline
{
    /// <summary>What the pipeline produced: each program's exit code and grep's output.</summary>
    public readonly record struct Result(int LsExitCode, int GrepExitCode, string Output);

    /// <summary>Runs <c>ls <paramref name="directory"/> | grep <paramref name="pattern"/></c> on the running loop.</summary>
    public static async Coroutine<Result> RunAsync(string directory, string pattern)
    {
        AioProcess ls = await Aio.CreateSubprocessExec("ls", [directory], stdout: SubprocessRedirect.Pipe);
        AioProcess grep = await Aio.CreateSubprocessExec("grep", ["--", pattern], stdin: SubprocessRedirect.Pipe, stdout: SubprocessRedirect.Pipe);
        AioTask pump = Aio.CreateTask(PumpAsync(ls.StandardOutput!, grep.StandardInput!));
        byte[] output = await grep.StandardOutput!.ReadAsync(-1);
        await pump;
        int lsExit = await ls.WaitAsync();
        int grepExit = await grep.WaitAsync();
        return new Result(lsExit, grepExit, Encoding.UTF8.GetString(output));
    }

    /// <summary>Copies <paramref name="from"/> into <paramref name="to"/> until the end, then closes <paramref name="to"/>.</summary>
    private static async Coroutine PumpAsync(AioStreamReader from, AioStreamWriter to)
    {
        var buffer = new byte[64 * 1024];
        bool consumerGone = false;
        while (true)
        {
            int n = await from.ReadAsync(buffer);
            if (n == 0)
            {
                break;
            }

            if (consumerGone)
            {
                continue;   // as a shell's SIGPIPE would stop the producer; here its output is just dropped
            }

            try
            {
                to.Write(buffer.AsSpan(0, n));
                await to.DrainAsync();
            }
            catch (Exception e) when (e is IOException or InvalidOperationException)
            {
                consumerGone = true;   // grep exited early (EPIPE)
            }
        }

        to.Close();
    }

    /// <summary>Prints the matching names; exits with grep's code (0 if something matched, 1 if not), as a shell pipeline does.</summary>
    public static int Main(string[] args)
    {
        if (args.Length != 2)
        {
            Console.Error.WriteLine("usage: Pipeline DIRECTORY PATTERN   (runs: ls DIRECTORY | grep PATTERN)");
            return 2;
        }

        Result r = Aio.Run(() => RunAsync(args[0], args[1]));
        Console.Write(r.Output);
        if (r.LsExitCode != 0)
        {
            Console.Error.WriteLine($"ls exited with {r.LsExitCode}");
        }

        return r.GrepExitCode;
    }
}
