using System.Diagnostics;
using Asyncio.Cli.Compare.Measurements;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Compare;

/// <summary>Runs every measurement of <c>aio compare</c> in turn, reporting progress.</summary>
internal static class CompareRunner
{
    public static CompareMeasurements Run(CompareSettings s, Interrupts interrupts, ProgressReporter progress)
    {
        CancellationToken cancel = interrupts.Token;

        progress.Step("execution model: 10,000 tasks on one loop");
        ExecutionResult execution = ExecutionModel.Measure(10_000);
        progress.Done($"execution: {execution.Tasks:N0} tasks ran on {execution.TaskThreads} OS thread");
        cancel.ThrowIfCancellationRequested();

        progress.Step($"OS threads in a child process (cap {s.ThreadCap:N0})");
        ConcurrencyResult threads = Concurrency.Threads(s, interrupts, text => progress.Step("OS threads: " + text));
        progress.Done($"threads: {threads.Reached:N0} blocked ({threads.StopReason}), {Units.Bytes(threads.RssBytesPerUnit)} RSS and {Units.Bytes(threads.VmSizeBytesPerUnit)} address space each");

        progress.Step($"suspended tasks in a child process (cap {s.TaskCap:N0}, {Units.Bytes(s.TaskBudgetBytes)} budget)");
        ConcurrencyResult tasks = Concurrency.Tasks(s, interrupts, text => progress.Step("tasks: " + text));
        progress.Done($"tasks: {tasks.Reached:N0} suspended ({tasks.StopReason}), {Units.Bytes(tasks.GcHeapBytesPerUnit)} GC heap and {Units.Bytes(tasks.RssBytesPerUnit)} RSS each");

        progress.Step("switch cost: thread ping-pong vs coroutine ping-pong");
        IReadOnlyList<SwitchResult> switches = SwitchCost.Measure(s.SwitchSeconds, cancel);
        progress.Done("switch: " + string.Join(", ", switches.Select(x => $"{x.Runtime}/{x.Variant} {Units.Nanoseconds(x.NsPerSwitch)}")));

        progress.Step($"race conditions: {s.RaceThreads} threads and {s.RaceThreads} tasks on one counter");
        RaceResult races = Races.Measure(s, cancel);
        progress.Done($"races: threads lost {string.Join(", ", races.ThreadsLost.Select(l => l.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)))}; tasks lost {races.TasksLost}; tasks with an await inside lost {races.SplitLost[0]:N0}");

        progress.Step("overhead: starting threads and tasks");
        OverheadResult overhead = Overhead.Measure(s, cancel);
        progress.Done($"overhead: thread start+join {overhead.ThreadMicroseconds:0.0} µs, task create+await {Units.Nanoseconds(overhead.TaskNanoseconds)}");

        progress.Step($"blocking calls: a {s.BlockMilliseconds} ms Thread.Sleep next to a 10 ms ticker");
        BlockingResult blocking = Blocking.Measure(s.BlockMilliseconds, cancel);
        progress.Done($"blocking: loop ticker {blocking.LoopBlockedLateMs:0} ms late; with ToThread {blocking.LoopToThreadLateMs:0.0} ms; thread ticker {blocking.ThreadsLateMs:0.0} ms");

        progress.Step($"CPU-bound: one computation in {Environment.ProcessorCount} pieces");
        CpuResult cpu = CpuBound.Measure(s.CpuSeconds, cancel);
        progress.Done($"CPU: coroutines {cpu.CoroutinesSeconds:0.00} s, ToThread {cpu.ToThreadSeconds:0.00} s ({cpu.ToThreadSpeedup:0.0}×), threads {cpu.ThreadsSeconds:0.00} s");

        progress.Step("I/O-bound: loopback TCP echo");
        IReadOnlyList<IoPoint> io = IoBound.Measure(s, interrupts, text => progress.Step("I/O-bound: " + text));
        progress.Done("I/O: " + string.Join(", ", io.Select(p => $"{p.Mode}@{p.Connections} {Units.Rate(p.RequestsPerSecond)}")));

        progress.Step("debugging: an hour of virtual time");
        VirtualTimeResult virtualTime = ExecutionModel.VirtualHour();
        progress.Done($"virtual time: {virtualTime.VirtualSeconds:0} s slept in {virtualTime.WallMilliseconds:0.0} ms");

        return new CompareMeasurements(execution, threads, tasks, switches, races, overhead, blocking, cpu, io, virtualTime);
    }

    public static MachineInfo Machine()
    {
        string? cpu = null;
        if (File.Exists("/proc/cpuinfo"))
        {
            cpu = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim();
        }

        bool unoptimized = typeof(Aio).Assembly.GetCustomAttributes(typeof(DebuggableAttribute), false)
            .OfType<DebuggableAttribute>().Any(a => a.IsJITOptimizerDisabled);
        return new MachineInfo(
            Environment.ProcessorCount,
            System.Runtime.InteropServices.RuntimeInformation.OSDescription,
            System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription,
            unoptimized ? "Debug (unoptimized library: numbers are pessimistic)" : "Release",
            System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture.ToString(),
            cpu,
            LoadAverage());
    }

    private static double LoadAverage()
    {
        try
        {
            string text = File.ReadAllText("/proc/loadavg");
            return double.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            return -1;
        }
    }
}
