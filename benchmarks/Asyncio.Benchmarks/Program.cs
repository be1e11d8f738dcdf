using Asyncio.Benchmarks.Harness;
using BenchmarkDotNet.Running;

namespace Asyncio.Benchmarks;

/// <summary>
/// Two modes: <c>bdn [BenchmarkDotNet args]</c> runs the BenchmarkDotNet classes in <c>Bdn/</c>; anything else is the
/// plain console mode, which measures large-N workloads on our loop and on its peers side by side.
/// </summary>
public static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "bdn")
        {
            BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args[1..]);
            return 0;
        }

        return ConsoleMode.Run(args, Console.Out, Console.Error);
    }
}
