using System.Diagnostics;
using System.Text.Json;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Compare;

/// <summary><c>aio compare [--quick] [--json] [--plot DIR]</c>: the seed's threads-versus-asyncio table, measured here.</summary>
internal static class CompareCommand
{
    public static int Run(bool quick, bool json, string? plotDirectory, TextWriter stdout, TextWriter stderr)
    {
        var settings = new CompareSettings(quick);
        ProgressReporter progress = ProgressReporter.For(stderr);
        using Interrupts interrupts = Interrupts.Install();
        DateTime started = DateTime.UtcNow;
        var clock = Stopwatch.StartNew();
        MachineInfo machine = CompareRunner.Machine();
        if (machine.Build.StartsWith("Debug", StringComparison.Ordinal))
        {
            progress.Warn("the library was built in Debug: run with -c Release for representative numbers.");
        }

        if (machine.Busy)
        {
            progress.Warn($"the machine is busy (load average {machine.LoadAverage:0.##} on {machine.Cores} cores): wall-clock timings will be stretched.");
        }

        CompareMeasurements measurements;
        try
        {
            measurements = progress.Run(
                $"aio compare{(quick ? " --quick" : "")}: OS threads against Asyncio.NET tasks on this machine ({Environment.ProcessorCount} cores)",
                () => CompareRunner.Run(settings, interrupts, progress));
        }
        catch (Exception) when (interrupts.Interrupted)   // cancellation, KeyboardInterruptException, or a killed child's broken pipe
        {
            stderr.WriteLine("aio compare: interrupted; child processes and threads were stopped.");
            return 130;
        }

        double seconds = clock.Elapsed.TotalSeconds;
        IReadOnlyList<string> charts = [];
        int exitCode = 0;
        if (plotDirectory is not null)
        {
            progress.Step($"charts into {plotDirectory}");
            try
            {
                charts = Compare.Charts.Write(measurements, plotDirectory);
                progress.Done($"charts: {string.Join(", ", charts.Select(Path.GetFileName))}");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or TypeInitializationException or DllNotFoundException)
            {
                // The measurements stand without their charts: print them, and say why the charts are missing.
                stderr.WriteLine($"aio compare: could not write the charts into {plotDirectory}: {e.Message}");
                exitCode = 1;
            }
        }

        var report = new CompareReport(
            "aio compare",
            quick ? "quick" : "full",
            started,
            seconds,
            machine,
            CompareRows.Build(measurements, machine),
            measurements,
            charts);

        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(report, Json.Indented));
        }
        else if (ReferenceEquals(stdout, Console.Out) && !Console.IsOutputRedirected)
        {
            CompareTable.WriteTerminal(report, stdout);
        }
        else
        {
            CompareTable.WriteMarkdown(report, stdout);
        }

        stdout.Flush();
        return exitCode;
    }
}
