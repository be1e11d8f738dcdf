using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Asyncio.Tests;

/// <summary>Ctrl-C as asyncio.Runner handles it, against a real child process.</summary>
public partial class SigintTests
{
    [LibraryImport("libc", SetLastError = true)]
    private static partial int kill(int pid, int sig);

    private const int SIGINT = 2;

    private static Process StartHost(params string[] args) => TestHostProcess.Start(args);

    private static void ExpectLine(Process p, string expected) => TestHostProcess.ExpectLine(p, expected);

    private static void WaitExit(Process p)
    {
        // real-time: bounded wait for the child to exit.
        if (!p.WaitForExit(TimeSpan.FromSeconds(60)))
        {
            p.Kill(entireProcessTree: true);
            Assert.Fail("the child did not exit within 60 s of the signal");
        }
    }

    [Fact]
    public void Run_FirstSigint_CancelsMainAndThrowsKeyboardInterrupt()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;   // SIGINT is a POSIX signal
        }

        using Process p = StartHost("sigint");
        ExpectLine(p, "ready");
        Assert.Equal(0, kill(p.Id, SIGINT));
        ExpectLine(p, "KeyboardInterruptException");
        WaitExit(p);
        Assert.Equal(3, p.ExitCode);
    }

    [Fact]
    public void Run_SecondSigint_EndsProcessWithExitCode130()
    {
        if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
        {
            return;
        }

        using Process p = StartHost("sigint", "--ignore-first");
        ExpectLine(p, "ready");
        Assert.Equal(0, kill(p.Id, SIGINT));
        ExpectLine(p, "ignored first interrupt");
        Assert.Equal(0, kill(p.Id, SIGINT));
        WaitExit(p);
        Assert.Equal(130, p.ExitCode);
    }
}
