using System.Diagnostics;

namespace Asyncio.Cli.Tests;

/// <summary>Runs <c>aio</c> in-process through its entry method, capturing stdout and stderr.</summary>
internal static class CliRunner
{
    public sealed record Result(int ExitCode, string Stdout, string Stderr, TimeSpan Elapsed);

    public static Result Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var clock = Stopwatch.StartNew();
        int code = AioCli.Run(args, stdout, stderr);
        return new Result(code, stdout.ToString(), stderr.ToString(), clock.Elapsed);
    }
}
