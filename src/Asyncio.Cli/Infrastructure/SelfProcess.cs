using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Asyncio.Cli.Infrastructure;

/// <summary>
/// Starts this tool again as a child process (hidden <c>__probe</c> subcommands): the .NET host (<c>dotnet</c>) with
/// this assembly's path, which works the same from <c>dotnet run</c>, an installed tool and a test runner.
/// </summary>
internal static class SelfProcess
{
    /// <summary>This tool's assembly (Asyncio.Cli.dll).</summary>
    public static string AssemblyPath { get; } = typeof(SelfProcess).Assembly.Location;

    /// <summary>A start description for <c>aio &lt;args&gt;</c> in a child process, stdin/stdout/stderr redirected.</summary>
    public static ProcessStartInfo StartInfo(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo
        {
            FileName = DotnetHost(),
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        string dir = Path.GetDirectoryName(AssemblyPath)!;
        string runtimeConfig = Path.Combine(dir, "Asyncio.Cli.runtimeconfig.json");
        string deps = Path.Combine(dir, "Asyncio.Cli.deps.json");
        info.ArgumentList.Add("exec");
        if (File.Exists(runtimeConfig))
        {
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(runtimeConfig);
        }
        else if (Path.ChangeExtension(Environment.GetCommandLineArgs().FirstOrDefault(a => a.EndsWith(".dll", StringComparison.Ordinal)) ?? "", ".runtimeconfig.json") is { } hostConfig
                 && File.Exists(hostConfig))
        {
            // Loaded into another program (a test host) whose folder lacks our runtimeconfig: borrow the host's.
            info.ArgumentList.Add("--runtimeconfig");
            info.ArgumentList.Add(hostConfig);
        }

        if (File.Exists(deps))
        {
            info.ArgumentList.Add("--depsfile");
            info.ArgumentList.Add(deps);
        }

        info.ArgumentList.Add(AssemblyPath);
        foreach (string a in args)
        {
            info.ArgumentList.Add(a);
        }

        return info;
    }

    /// <summary>
    /// The <c>dotnet</c> host: this process if it is one, else the one that owns the running runtime
    /// (<c>&lt;root&gt;/shared/Microsoft.NETCore.App/&lt;version&gt;/</c> → <c>&lt;root&gt;/dotnet</c>), else DOTNET_ROOT's, else PATH's.
    /// </summary>
    public static string DotnetHost()
    {
        string exe = OperatingSystem.IsWindows() ? "dotnet.exe" : "dotnet";
        if (Environment.ProcessPath is { } self && string.Equals(Path.GetFileName(self), exe, StringComparison.OrdinalIgnoreCase))
        {
            return self;
        }

        string runtimeDir = RuntimeEnvironment.GetRuntimeDirectory();
        string candidate = Path.GetFullPath(Path.Combine(runtimeDir, "..", "..", "..", exe));
        if (File.Exists(candidate))
        {
            return candidate;
        }

        if (Environment.GetEnvironmentVariable("DOTNET_ROOT") is { Length: > 0 } root && File.Exists(Path.Combine(root, exe)))
        {
            return Path.Combine(root, exe);
        }

        return exe;
    }
}
