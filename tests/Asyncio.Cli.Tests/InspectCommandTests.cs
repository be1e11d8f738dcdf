using System.Diagnostics;
using System.Globalization;

namespace Asyncio.Cli.Tests;

/// <summary><c>aio ps</c> and <c>aio pstree</c> against a real child process with known tasks (Asyncio.TestHost inspect).</summary>
public sealed class InspectCommandTests
{
    private static Process StartHost()
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "Asyncio.TestHost.dll");
        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        psi.ArgumentList.Add(dll);
        psi.ArgumentList.Add("inspect");
        Process p = Process.Start(psi)!;

        // real-time: waits for the child to print, bounded so a broken child fails the test instead of hanging it.
        var read = p.StandardOutput.ReadLineAsync();
        Assert.True(read.Wait(TimeSpan.FromSeconds(60)), "the child did not print 'ready' within 60 s");
        Assert.Equal("ready", read.Result);
        return p;
    }

    [Fact]
    public void PsAndPstree_ShowTheChildsTasksAndWhoAwaitsWhom()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;   // inspection needs SO_PEERCRED
        }

        using Process p = StartHost();
        try
        {
            string pid = p.Id.ToString(CultureInfo.InvariantCulture);
            var ps = CliRunner.Run("ps", pid, "--timeout", "30");
            Assert.Equal(0, ps.ExitCode);
            Assert.Matches(@"(?m)^ID\s+NAME\s+STATE\s+AGE\s+COROUTINE\s+AWAITS\s+AWAITED BY$", ps.Stdout);
            Assert.Matches(@"(?m)^[0-9a-f]{8}\s+leaf-1\s+pending\s+.*sleeps until cancelled\s+worker-a$", ps.Stdout);
            Assert.Matches(@"(?m)^[0-9a-f]{8}\s+worker-b\s+pending\s+.*waits in AsyncQueue\.GetAsync \(1 waiting\)\s+main$", ps.Stdout);

            var tree = CliRunner.Run("pstree", pid, "--timeout", "30");
            Assert.Equal(0, tree.ExitCode);
            string[] lines = tree.Stdout.Split('\n');
            Assert.Equal("└── (T) main", lines[1]);
            int workerA = Array.FindIndex(lines, l => l.Contains("(T) worker-a", StringComparison.Ordinal));
            int leaf2 = Array.FindIndex(lines, l => l.Contains("(T) leaf-2", StringComparison.Ordinal));
            Assert.True(workerA > 1 && leaf2 > workerA, tree.Stdout);

            var json = CliRunner.Run("ps", pid, "--json", "--timeout", "30");
            Assert.Equal(0, json.ExitCode);
            Assert.Contains("\"name\": \"worker-b\"", json.Stdout, StringComparison.Ordinal);
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
    }

    [Fact]
    public void Timeout_NotPositive_IsRefused()
    {
        var r = CliRunner.Run("ps", "1", "--timeout", "0");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--timeout must be a positive number of seconds", r.Stderr, StringComparison.Ordinal);
    }
}
