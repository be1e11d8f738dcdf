using System.Diagnostics;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Tests;

/// <summary>Ctrl-C on a real <c>aio</c> process: here a child process is the point.</summary>
public class InterruptTests
{
    [Fact]
    public void Compare_CtrlCWhileAProbeRuns_Exits130AndLeavesNoChildBehind()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;   // reads /proc and sends a POSIX signal
        }

        ProcessStartInfo info = SelfProcess.StartInfo(["compare", "--quick"]);
        using var aio = Process.Start(info)!;
        aio.StandardInput.Close();
        var stderr = new System.Collections.Concurrent.ConcurrentQueue<string>();
        using var probeRunning = new ManualResetEventSlim();
        aio.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is { } line)
            {
                stderr.Enqueue(line);
                if (line.Contains("OS threads: ", StringComparison.Ordinal))
                {
                    probeRunning.Set();   // the thread probe (a child process) is starting threads
                }
            }
        };
        aio.BeginErrorReadLine();
        aio.BeginOutputReadLine();
        try
        {
            Assert.True(probeRunning.Wait(TimeSpan.FromSeconds(60)), "no probe started:\n" + string.Join("\n", stderr));
            // A probe may already have ended on a fast machine: the next child (task probe, echo servers) comes soon.
            int[] children = Children(aio.Id);
            var poll = Stopwatch.StartNew();
            while (children.Length == 0 && !aio.HasExited && poll.Elapsed < TimeSpan.FromSeconds(30))
            {
                Thread.Sleep(5);   // real-time: polls a real child process of the aio tool for its own children
                children = Children(aio.Id);
            }

            Assert.NotEmpty(children);

            using (var kill = Process.Start("kill", ["-INT", aio.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }

            Assert.True(aio.WaitForExit(TimeSpan.FromSeconds(15)), "aio did not end after Ctrl-C");
            aio.WaitForExit();
            Assert.True(aio.ExitCode == 130, $"exit code {aio.ExitCode}, not 130; aio's stderr:\n" + string.Join("\n", stderr));
            Assert.Contains(stderr, l => l.Contains("interrupted; child processes and threads were stopped", StringComparison.Ordinal));
            Assert.All(children, pid => Assert.False(Alive(pid), $"child {pid} still runs"));
        }
        finally
        {
            if (!aio.HasExited)
            {
                aio.Kill(entireProcessTree: true);
            }
        }
    }

    /// <summary>Processes whose parent is <paramref name="pid"/>.</summary>
    private static int[] Children(int pid) =>
    [
        .. Directory.EnumerateDirectories("/proc")
            .Select(Path.GetFileName)
            .Where(n => n!.All(char.IsAsciiDigit))
            .Select(n => int.Parse(n!, System.Globalization.CultureInfo.InvariantCulture))
            .Where(p => ParentOf(p) == pid),
    ];

    private static int? ParentOf(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>Running (a zombie waiting to be reaped does not count).</summary>
    private static bool Alive(int pid)
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(3))
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                if (stat[(stat.LastIndexOf(')') + 2)] == 'Z')
                {
                    return false;
                }
            }
            catch (IOException)
            {
                return false;
            }

            Thread.Sleep(50);   // real-time: polls /proc for a real process to exit
        }

        return true;
    }
}
