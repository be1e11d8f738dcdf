using System.Diagnostics;

namespace Asyncio.Tests;

/// <summary>Starts Asyncio.TestHost (a real child process running a loop) with redirected output.</summary>
internal static class TestHostProcess
{
    public static Process Start(params string[] args)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Asyncio.TestHost.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        return Process.Start(psi)!;
    }

    /// <summary>Reads the child's next line and checks it.</summary>
    public static void ExpectLine(Process p, string expected)
    {
        // real-time: waits for the child process to print, bounded so a broken child fails the test instead of hanging it.
        var read = p.StandardOutput.ReadLineAsync();
        Assert.True(read.Wait(TimeSpan.FromSeconds(60)), $"the child did not print '{expected}' within 60 s");
        Assert.Equal(expected, read.Result);
    }
}
