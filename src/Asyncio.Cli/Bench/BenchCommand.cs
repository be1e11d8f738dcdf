using System.CommandLine;

namespace Asyncio.Cli.Bench;

internal static class BenchCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var bench = new Command("bench", "Run the benchmark workloads on our loop and on every peer found on this machine.");
        bench.SetAction(_ => 0);
        return bench;
    }
}
