using System.Diagnostics;

namespace Asyncio.Cli.Bench;

/// <summary>
/// A runtime <c>aio bench</c> compares with. The .NET ones (our loop, the thread pool, Nito's AsyncContext) come from
/// the benchmark harness built into this tool; the others are found on the machine and run the scripts in
/// <c>peers/</c>. A missing one is reported with the command that installs it, never faked.
/// </summary>
internal sealed record PeerRuntime(string Id, string Label, string? Version, string? Executable, IReadOnlyList<string> Arguments, string? Missing, string? InstallHint)
{
    public bool Found => Missing is null;
}

internal static class Peers
{
    /// <summary>The runtimes measured by the .NET harness (always present).</summary>
    public static readonly (string Id, string Label)[] DotnetRuntimes =
    [
        ("asyncio", "Asyncio.NET (1 thread)"),
        ("threadpool", $".NET thread pool ({Environment.ProcessorCount} cores)"),
        ("asynccontext", "Nito AsyncContext (1 thread)"),
    ];

    public static string ScriptPath(string name)
    {
        string path = Path.Combine(AppContext.BaseDirectory, "peers", name);
        return File.Exists(path) ? path : Path.Combine(Path.GetDirectoryName(typeof(Peers).Assembly.Location)!, "peers", name);
    }

    /// <summary>Looks for python3 (CPython asyncio), a python3 that can import uvloop, and node.</summary>
    public static IReadOnlyList<PeerRuntime> Discover()
    {
        var peers = new List<PeerRuntime>();
        string script = ScriptPath("asyncio_peer.py");

        string? cpython = Probe("python3", ["-c", "import sys, asyncio; print(sys.version.split()[0])"]);
        peers.Add(cpython is not null
            ? new PeerRuntime("cpython", "CPython asyncio", "Python " + cpython, "python3", [script], null, null)
            : new PeerRuntime("cpython", "CPython asyncio", null, null, [], "python3 was not found on PATH", "apt install python3"));

        // uvloop: the python3 on PATH may be a pyenv build without it; Debian's python3-uvloop is for /usr/bin/python3.
        PeerRuntime? uvloop = null;
        foreach (string python in new[] { "python3", "/usr/bin/python3" }.Distinct())
        {
            string? v = Probe(python, ["-c", "import sys, uvloop; print(uvloop.__version__, sys.version.split()[0])"]);
            if (v is not null)
            {
                string[] parts = v.Split(' ');
                uvloop = new PeerRuntime("uvloop", "uvloop", $"uvloop {parts[0]} on Python {parts.ElementAtOrDefault(1)}", python, [script, "--uvloop"], null, null);
                break;
            }
        }

        peers.Add(uvloop ?? new PeerRuntime("uvloop", "uvloop", null, null, [],
            "no python3 here can import uvloop (tried python3 and /usr/bin/python3)",
            "apt install python3-uvloop   (or: python3 -m pip install uvloop)"));

        string? node = Probe("node", ["--version"]);
        peers.Add(node is not null
            ? new PeerRuntime("node", "Node", "Node " + node, "node", ["--expose-gc", ScriptPath("node_peer.js")], null, null)
            : new PeerRuntime("node", "Node", null, null, [], "node was not found on PATH", "apt install nodejs"));
        return peers;
    }

    /// <summary>Runs <paramref name="file"/> briefly; its first output line, or null if it cannot run or fails.</summary>
    private static string? Probe(string file, string[] args)
    {
        try
        {
            var info = new ProcessStartInfo(file)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                RedirectStandardInput = true,
                UseShellExecute = false,
            };
            foreach (string a in args)
            {
                info.ArgumentList.Add(a);
            }

            using Process p = Process.Start(info)!;
            p.StandardInput.Close();
            string output = p.StandardOutput.ReadToEnd();
            if (!p.WaitForExit(10_000))
            {
                p.Kill(true);
                return null;
            }

            return p.ExitCode == 0 ? output.Split('\n')[0].Trim().TrimStart('v') : null;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;   // not installed
        }
    }
}
