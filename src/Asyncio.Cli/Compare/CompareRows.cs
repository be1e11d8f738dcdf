using System.Text.Json.Nodes;
using Asyncio.Cli.Compare.Measurements;
using static Asyncio.Cli.Infrastructure.Units;

namespace Asyncio.Cli.Compare;

/// <summary>
/// Turns the measurements into the seed's table, row by row. Every verdict is computed from the numbers: the wording
/// changes with them (e.g. "Confirmed" only when the measurement agrees with the seed); the few statements no number
/// here decides are marked "(qualitative)".
/// </summary>
internal static class CompareRows
{
    public static IReadOnlyList<CompareRow> Build(CompareMeasurements m, MachineInfo machine) =>
    [
        Execution(m),
        ContextSwitching(m),
        RaceConditions(m),
        Memory(m),
        OverheadRow(m),
        MaxConcurrency(m),
        BlockingCalls(m),
        CpuBoundRow(m, machine.Busy),
        IoBoundRow(m, machine.Busy),
        Debugging(m),
    ];

    private static CompareRow Execution(CompareMeasurements m)
    {
        ConcurrencyResult t = m.Threads;
        ExecutionResult e = m.Execution;
        int osDelta = (t.Checkpoints.Count > 0 ? t.Checkpoints[^1].OsThreads : t.Baseline.OsThreads) - t.Baseline.OsThreads;
        bool oneThread = e.TaskThreads == 1;
        bool threadPerThread = t.OsThreadsPerUnit is > 0.95 and < 1.05;
        string verdict = oneThread && threadPerThread
            ? Format($"Confirmed: each .NET thread is one OS thread ({t.OsThreadsPerUnit:0.00} per thread started); all {e.Tasks:N0} tasks ran on the loop's single thread, and suspending them added {e.OsThreadsWithTasks - e.OsThreadsBefore} OS threads.")
            : Format($"Measured: {t.OsThreadsPerUnit:0.00} OS threads per .NET thread; the tasks ran on {e.TaskThreads} distinct thread(s).");
        return new CompareRow(
            "execution",
            "Execution",
            new SeedClaim("Multiple OS threads", "Single thread, event loop"),
            Format($"{t.Reached:N0} blocked threads = {osDelta:N0} more OS threads in the process"),
            Format($"{e.Tasks:N0} tasks ran on {e.TaskThreads} OS thread; process threads {e.OsThreadsBefore} → {e.OsThreadsWithTasks} while they were suspended"),
            verdict,
            "n/a",
            "measured",
            new JsonObject
            {
                ["threadsStarted"] = t.Reached,
                ["osThreadsAdded"] = osDelta,
                ["osThreadsPerThread"] = t.OsThreadsPerUnit,
                ["tasks"] = e.Tasks,
                ["distinctThreadsRunningTasks"] = e.TaskThreads,
                ["osThreadsBeforeTasks"] = e.OsThreadsBefore,
                ["osThreadsWithTasks"] = e.OsThreadsWithTasks,
            });
    }

    private static (SwitchResult Best, SwitchResult Other) Pick(IReadOnlyList<SwitchResult> all, string runtime)
    {
        var of = all.Where(s => s.Runtime == runtime).OrderBy(s => s.NsPerSwitch).ToList();
        return (of[0], of[^1]);
    }

    private static string Os(double perSwitch) => perSwitch < 0 ? "OS switches not readable" : Format($"{perSwitch:0.00} OS context switches per hand-off");

    private static CompareRow ContextSwitching(CompareMeasurements m)
    {
        var (thread, threadOther) = Pick(m.Switches, "threads");
        var (task, taskOther) = Pick(m.Switches, "tasks");
        double ratio = thread.NsPerSwitch / task.NsPerSwitch;
        double cpuRatio = Math.Min(thread.CpuNsPerSwitch, threadOther.CpuNsPerSwitch) / Math.Max(1e-9, task.CpuNsPerSwitch);
        double threadOs = Math.Max(thread.OsContextSwitchesPerSwitch, threadOther.OsContextSwitchesPerSwitch);
        string verdict = ratio > 1
            ? Format($"Confirmed: a task gives way only at an await, in user space — {Ratio(ratio)} faster than the fastest thread hand-off ({Nanoseconds(task.NsPerSwitch)} vs {Nanoseconds(thread.NsPerSwitch)}), {Ratio(cpuRatio)} less CPU") +
              (task.OsContextSwitchesPerSwitch >= 0 && threadOs >= 0
                  ? Format($", {task.OsContextSwitchesPerSwitch:0.00} kernel context switches per hand-off against {threadOs:0.00}.")
                  : ".")
            : Format($"Not confirmed here: a task hand-off took {Nanoseconds(task.NsPerSwitch)}, a thread hand-off {Nanoseconds(thread.NsPerSwitch)}.");
        static string Cell(SwitchResult best, SwitchResult other) =>
            Format($"{Nanoseconds(best.NsPerSwitch)} per hand-off, {Nanoseconds(best.CpuNsPerSwitch)} of CPU ({best.Variant}; {other.Variant}: {Nanoseconds(other.NsPerSwitch)}); {Os(Math.Max(best.OsContextSwitchesPerSwitch, other.OsContextSwitchesPerSwitch))}");
        return new CompareRow(
            "context-switching",
            "Context Switching",
            new SeedClaim("OS (preemptive)", "Explicit await (cooperative)"),
            Cell(thread, threadOther),
            Cell(task, taskOther),
            verdict,
            ratio > 1 ? "tasks" : "threads",
            "measured",
            new JsonObject
            {
                ["threadNsPerSwitch"] = thread.NsPerSwitch,
                ["threadCpuNsPerSwitch"] = thread.CpuNsPerSwitch,
                ["threadVariant"] = thread.Variant,
                ["taskNsPerSwitch"] = task.NsPerSwitch,
                ["taskCpuNsPerSwitch"] = task.CpuNsPerSwitch,
                ["taskVariant"] = task.Variant,
                ["threadOsContextSwitchesPerSwitch"] = threadOs,
                ["taskOsContextSwitchesPerSwitch"] = task.OsContextSwitchesPerSwitch,
                ["taskBytesPerSwitch"] = task.BytesPerSwitch,
                ["threadBytesPerSwitch"] = thread.BytesPerSwitch,
                ["ratio"] = ratio,
                ["cpuRatio"] = cpuRatio,
            });
    }

    private static string List(IEnumerable<long> values) =>
        string.Join(", ", values.Select(x => x.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)));

    private static CompareRow RaceConditions(CompareMeasurements m)
    {
        RaceResult r = m.Races;
        double[] lostFraction = [.. r.ThreadsLost.Zip(r.ThreadsIncrements, (l, d) => d == 0 ? 0 : (double)l / d)];
        int median = Array.IndexOf(lostFraction, lostFraction.Order().ElementAt(lostFraction.Length / 2));
        long threadLost = r.ThreadsLost.Max();
        long splitLost = r.SplitLost.Max();
        string verdict = (threadLost > 0, r.TasksLost == 0, splitLost > 0) switch
        {
            (true, true, true) => Format($"Confirmed, with a caveat: threads lost updates without a lock (up to {Percent(lostFraction.Max())}); tasks lost none — until an await sat inside the read-modify-write ({Percent((double)splitLost / r.ExpectedSplit)} lost). One thread removes races between awaits, not across them: keep an AsyncLock around updates that await."),
            (true, true, false) => Format($"Confirmed: threads lost up to {Percent(lostFraction.Max())} of their updates without a lock; tasks lost none."),
            (false, true, _) => Format($"Threads lost no update in these {r.ThreadsLost.Length} runs (the race exists but depends on timing); tasks lost none; an await inside the update lost {splitLost:N0}."),
            _ => Format($"Unexpected: tasks lost {r.TasksLost:N0} updates without an await inside the update."),
        };
        return new CompareRow(
            "race-conditions",
            "Race Conditions",
            new SeedClaim("❌ Possible (need locks)", "✅ Less likely (single thread)"),
            Format($"{r.Threads} threads incrementing one counter without a lock for {r.ThreadSeconds * 1000:0} ms: lost {r.ThreadsLost[median]:N0} of {r.ThreadsIncrements[median]:N0} ({Percent(lostFraction[median])}; median of {r.ThreadsLost.Length} runs, lost: {List(r.ThreadsLost)}); with Interlocked: {r.InterlockedLost:N0} of {r.InterlockedIncrements:N0} lost"),
            Format($"{r.Tasks} tasks × {r.IncrementsPerTask:N0} increments: lost {r.TasksLost:N0}; with `await Aio.Sleep(0)` between read and write: lost {splitLost:N0} of {r.ExpectedSplit:N0} ({Percent((double)splitLost / r.ExpectedSplit)})"),
            verdict,
            r.TasksLost == 0 && threadLost > 0 ? "tasks" : "tie",
            "measured",
            new JsonObject
            {
                ["threads"] = r.Threads,
                ["threadSeconds"] = r.ThreadSeconds,
                ["threadsIncrementsPerRun"] = new JsonArray([.. r.ThreadsIncrements.Select(x => (JsonNode)x)]),
                ["threadsLostPerRun"] = new JsonArray([.. r.ThreadsLost.Select(x => (JsonNode)x)]),
                ["threadsLostUpdates"] = threadLost,
                ["interlockedLostUpdates"] = r.InterlockedLost,
                ["tasks"] = r.Tasks,
                ["tasksLostUpdates"] = r.TasksLost,
                ["tasksWithAwaitInsideLostUpdates"] = splitLost,
                ["tasksWithAwaitInsideExpected"] = r.ExpectedSplit,
            });
    }

    private static CompareRow Memory(CompareMeasurements m)
    {
        ConcurrencyResult t = m.Threads, k = m.Tasks;
        const double SeedThread = 8 * 1024 * 1024, SeedTask = 3 * 1024;
        double ratio = t.RssBytesPerUnit / k.RssBytesPerUnit;
        string stack = t.Limits is { } l && l.TryGetValue("stackSizeLimitBytes", out long s) ? Format($" (`ulimit -s` here: {Bytes(s)}, what C and Python threads reserve)") : "";
        string threadPart = t.RssBytesPerUnit < SeedThread / 8
            ? Format($"The seed's ~8 MB per thread is reserved address space, not memory: a blocked .NET thread used {Bytes(t.RssBytesPerUnit)} of RSS and reserved {Bytes(t.VmSizeBytesPerUnit)}{stack}.")
            : Format($"A blocked thread used {Bytes(t.RssBytesPerUnit)} of RSS, near the seed's ~8 MB.");
        string taskPart = k.RssBytesPerUnit <= SeedTask
            ? Format($" A suspended task used {Bytes(k.RssBytesPerUnit)} of RSS ({Bytes(k.GcHeapBytesPerUnit)} of GC heap), under the seed's ~3 KB and {Ratio(ratio)} less than a thread.")
            : Format($" A suspended task used {Bytes(k.RssBytesPerUnit)} of RSS ({Bytes(k.GcHeapBytesPerUnit)} of GC heap), above the seed's ~3 KB, still {Ratio(ratio)} less than a thread.");
        return new CompareRow(
            "memory",
            "Memory",
            new SeedClaim("~8MB per thread", "~3KB per task"),
            Format($"{Bytes(t.RssBytesPerUnit)} RSS per blocked thread; {Bytes(t.VmSizeBytesPerUnit)} of address space reserved per thread (at {t.Reached:N0} threads)"),
            Format($"{Bytes(k.RssBytesPerUnit)} RSS, {Bytes(k.GcHeapBytesPerUnit)} GC heap per suspended task (at {k.Reached:N0} tasks)"),
            threadPart + taskPart,
            ratio > 1 ? "tasks" : "threads",
            "measured",
            new JsonObject
            {
                ["threadRssBytesPerThread"] = t.RssBytesPerUnit,
                ["threadVmSizeBytesPerThread"] = t.VmSizeBytesPerUnit,
                ["threadsMeasured"] = t.Reached,
                ["taskRssBytesPerTask"] = k.RssBytesPerUnit,
                ["taskGcBytesPerTask"] = k.GcHeapBytesPerUnit,
                ["tasksMeasured"] = k.Reached,
                ["threadToTaskRssRatio"] = ratio,
            });
    }

    private static CompareRow OverheadRow(CompareMeasurements m)
    {
        OverheadResult o = m.Overhead;
        var (thread, _) = Pick(m.Switches, "threads");
        var (task, _) = Pick(m.Switches, "tasks");
        double startRatio = o.ThreadMicroseconds * 1000 / o.TaskNanoseconds;
        double switchRatio = thread.NsPerSwitch / task.NsPerSwitch;
        string verdict = startRatio > 1 && switchRatio > 1
            ? Format($"Confirmed: starting a task costs {Ratio(startRatio)} less than starting a thread, and a switch {Ratio(switchRatio)} less.")
            : Format($"Mixed: task start {Ratio(startRatio)} cheaper, switch {Ratio(switchRatio)} cheaper than threads.");
        return new CompareRow(
            "overhead",
            "Overhead",
            new SeedClaim("High (OS threads)", "Low (coroutines)"),
            Format($"start + join: {o.ThreadMicroseconds:0.0} µs per thread; hand-off {Nanoseconds(thread.NsPerSwitch)}"),
            Format($"create + await: {Nanoseconds(o.TaskNanoseconds)} per task ({o.TaskBytes:0} B allocated); hand-off {Nanoseconds(task.NsPerSwitch)} ({task.BytesPerSwitch:0.#} B allocated)"),
            verdict,
            startRatio > 1 && switchRatio > 1 ? "tasks" : "tie",
            "measured",
            new JsonObject
            {
                ["threadStartJoinMicroseconds"] = o.ThreadMicroseconds,
                ["taskCreateAwaitNanoseconds"] = o.TaskNanoseconds,
                ["taskBytesPerStart"] = o.TaskBytes,
                ["startRatio"] = startRatio,
                ["switchRatio"] = switchRatio,
            });
    }

    private static string Stop(ConcurrencyResult r, string unit) => r.StopReason switch
    {
        "cap" => r.Cap < r.RequestedCap
            ? Format($"stopped at the safe cap of {r.Cap:N0} ({r.CapReason}), no failure")
            : Format($"the cap of {r.Cap:N0} reached, no failure"),
        "memory budget" => Format($"stopped: one more step would pass the {Bytes(r.Limits?.GetValueOrDefault("budgetBytes") ?? 0)} RSS budget"),
        "time limit" => "stopped at the time limit",
        "failure" => Format($"failed after {r.Reached:N0} {unit}: {r.Failure}"),
        _ => Format($"{r.StopReason}: {r.Failure}"),
    };

    private static CompareRow MaxConcurrency(CompareMeasurements m)
    {
        ConcurrencyResult t = m.Threads, k = m.Tasks;
        long budget = k.Limits?.GetValueOrDefault("budgetBytes") ?? (1L << 30);
        double threadsInBudget = budget / t.RssBytesPerUnit, tasksInBudget = budget / k.RssBytesPerUnit;
        string threadLimit = t.Limits?.TryGetValue("maxMapCount", out long maps) == true
            ? Format($" (the kernel's vm.max_map_count = {maps:N0} allows roughly {maps / 4:N0} .NET threads)")
            : "";
        string threadsPart = t.StopReason == "failure" || t.Crashed
            ? Format($"Threads failed at {t.Reached:N0}{threadLimit}.")
            : t.Reached > 1000
                ? Format($"The seed's ~1,000 threads is no limit here: {t.Reached:N0} blocked threads ran without failure{threadLimit}.")
                : Format($"{t.Reached:N0} threads ran (the cap).");
        string tasksPart = Format($" Tasks: {k.Reached:N0} suspended in {Bytes(k.Checkpoints.LastOrDefault()?.RssBytes ?? 0)} of RSS — {Bytes(budget)} holds ~{tasksInBudget:N0} tasks against ~{threadsInBudget:N0} blocked threads.");
        return new CompareRow(
            "max-concurrency",
            "Max Concurrency",
            new SeedClaim("~1000 threads", "~10,000+ tasks"),
            Format($"{t.Reached:N0} threads ({Stop(t, "threads")}); RSS {Bytes(t.Checkpoints.LastOrDefault()?.RssBytes ?? 0)}"),
            Format($"{k.Reached:N0} tasks ({Stop(k, "tasks")}); RSS {Bytes(k.Checkpoints.LastOrDefault()?.RssBytes ?? 0)}"),
            threadsPart + tasksPart,
            tasksInBudget > threadsInBudget ? "tasks" : "threads",
            "measured",
            new JsonObject
            {
                ["threadsReached"] = t.Reached,
                ["threadsCap"] = t.Cap,
                ["threadsRequestedCap"] = t.RequestedCap,
                ["threadsStopReason"] = t.StopReason,
                ["threadsFailure"] = t.Failure,
                ["tasksReached"] = k.Reached,
                ["tasksCap"] = k.Cap,
                ["tasksStopReason"] = k.StopReason,
                ["memoryBudgetBytes"] = budget,
                ["threadsPerBudget"] = threadsInBudget,
                ["tasksPerBudget"] = tasksInBudget,
            });
    }

    private static CompareRow BlockingCalls(CompareMeasurements m)
    {
        BlockingResult b = m.Blocking;
        bool frozen = b.LoopBlockedLateMs >= 0.8 * b.BlockMilliseconds;
        string verdict = frozen
            ? Format($"Confirmed: a blocking call inside a coroutine froze every task on the loop for its whole length ({b.LoopBlockedLateMs:0} ms late for a {b.BlockMilliseconds} ms call). Sent through Aio.ToThread, the same call kept the ticker within {b.LoopToThreadLateMs:0.0} ms, as a thread does ({b.ThreadsLateMs:0.0} ms).")
            : Format($"Not reproduced: the ticker task was only {b.LoopBlockedLateMs:0} ms late during a {b.BlockMilliseconds} ms blocking call.");
        return new CompareRow(
            "blocking-calls",
            "Blocking Calls",
            new SeedClaim("✅ Can use (blocks thread)", "❌ Must be async"),
            Format($"a 10 ms ticker thread next to a thread blocked {b.BlockMilliseconds} ms: at most {b.ThreadsLateMs:0.0} ms late"),
            Format($"Thread.Sleep({b.BlockMilliseconds} ms) in a coroutine: the ticker task was {b.LoopBlockedLateMs:0} ms late; via `await Aio.ToThread(...)`: {b.LoopToThreadLateMs:0.0} ms"),
            verdict,
            "threads",
            "measured",
            new JsonObject
            {
                ["blockMilliseconds"] = b.BlockMilliseconds,
                ["loopBlockedLateMs"] = b.LoopBlockedLateMs,
                ["loopToThreadLateMs"] = b.LoopToThreadLateMs,
                ["threadsLateMs"] = b.ThreadsLateMs,
            });
    }

    private static CompareRow CpuBoundRow(CompareMeasurements m, bool busy)
    {
        CpuResult c = m.Cpu;
        bool parallel = Math.Max(c.ThreadsSpeedup, c.ToThreadSpeedup) > 1.25;
        string busyNote = busy ? " The machine was busy during the run, which stretches these timings." : "";
        string verdict = parallel
            ? Format($".NET threads run in parallel without multiprocessing (no GIL): {Ratio(c.ThreadsSpeedup)} faster on {c.Pieces} cores. Coroutines alone share one core (the seed's ❌ holds: {Seconds(c.CoroutinesSeconds)}), but Aio.ToThread gave the loop the same parallelism: {Ratio(c.ToThreadSpeedup)}.")
            : Format($"No parallel speed-up in this run ({c.Pieces} core(s)): threads {Ratio(c.ThreadsSpeedup)}, Aio.ToThread {Ratio(c.ToThreadSpeedup)}.{busyNote}");
        if (!c.ChecksumsMatch)
        {
            verdict += " (The three computations disagreed: a bug in the measurement.)";
        }

        return new CompareRow(
            "cpu-bound",
            "CPU-Bound Tasks",
            new SeedClaim("✅ Good (true parallelism with multiprocessing)", "❌ Bad (single thread)"),
            Format($"{c.Pieces} threads: {Seconds(c.ThreadsSeconds)} ({Ratio(c.ThreadsSpeedup)} speed-up)"),
            Format($"{c.Pieces} coroutines on one loop: {Seconds(c.CoroutinesSeconds)} (1×); {c.Pieces} × Aio.ToThread: {Seconds(c.ToThreadSeconds)} ({Ratio(c.ToThreadSpeedup)})"),
            verdict,
            parallel ? "threads" : "tie",
            "measured",
            new JsonObject
            {
                ["pieces"] = c.Pieces,
                ["iterations"] = c.Iterations,
                ["coroutinesSeconds"] = c.CoroutinesSeconds,
                ["toThreadSeconds"] = c.ToThreadSeconds,
                ["threadsSeconds"] = c.ThreadsSeconds,
                ["toThreadSpeedup"] = c.ToThreadSpeedup,
                ["threadsSpeedup"] = c.ThreadsSpeedup,
                ["checksumsMatch"] = c.ChecksumsMatch,
            });
    }

    private static CompareRow IoBoundRow(CompareMeasurements m, bool busy)
    {
        var threads = m.Io.Where(p => p.Mode == "threads").OrderBy(p => p.Connections).ToList();
        var loop = m.Io.Where(p => p.Mode == "loop").OrderBy(p => p.Connections).ToList();
        string Cell(IEnumerable<IoPoint> ps) => string.Join("; ", ps.Select(p =>
            Format($"{p.Connections:N0} conns: {Rate(p.RequestsPerSecond)}, {p.ServerCpuMicrosecondsPerRequest:0.0} µs CPU/req, +{Bytes(p.ServerRssBytes - p.ServerRssIdleBytes)} RSS")));
        IoPoint lt = threads[^1], ll = loop[^1];
        double speed = ll.RequestsPerSecond / lt.RequestsPerSecond;
        double cpu = lt.ServerCpuMicrosecondsPerRequest / ll.ServerCpuMicrosecondsPerRequest;
        double mem = lt.ServerRssBytesPerConnection / Math.Max(1, ll.ServerRssBytesPerConnection);
        string head = Format($"At {ll.Connections:N0} connections one loop served {Rate(ll.RequestsPerSecond)} ({ll.ServerCpuMicrosecondsPerRequest:0.0} µs CPU and {Bytes(ll.ServerRssBytesPerConnection)} per connection) against {Rate(lt.RequestsPerSecond)} ({lt.ServerCpuMicrosecondsPerRequest:0.0} µs, {Bytes(lt.ServerRssBytesPerConnection)} per connection, {lt.ServerOsThreads:N0} OS threads) for a thread per connection: ");
        string verdict = (speed >= 1, mem >= 1) switch
        {
            (true, true) => head + Format($"{Ratio(speed)} the throughput at {Ratio(cpu)} less CPU per request and {Ratio(mem)} less memory per connection. Confirmed: better."),
            (false, true) => head + Format($"threads had {Ratio(1 / speed)} the throughput (the client shares the 2 cores), but the loop used {Ratio(cpu)} less CPU per request and {Ratio(mem)} less memory per connection."),
            (true, false) => head + Format($"{Ratio(speed)} the throughput, but {Ratio(1 / mem)} the memory per connection."),
            _ => head + "threads did better on both counts here.",
        };
        if (busy)
        {
            verdict += " (A busy machine: requests/s are noisy; CPU per request and memory are the steadier figures.)";
        }

        int errors = (int)m.Io.Sum(p => p.Errors);
        if (errors > 0)
        {
            verdict += Format($" ({errors} echoes came back wrong.)");
        }

        return new CompareRow(
            "io-bound",
            "I/O-Bound Tasks",
            new SeedClaim("✅ Good", "✅ Better!"),
            Cell(threads),
            Cell(loop),
            verdict,
            speed >= 1 && mem >= 1 ? "tasks" : speed >= 1 || mem >= 1 ? "mixed" : "threads",
            "measured",
            new JsonObject
            {
                ["requestBytes"] = ll.RequestBytes,
                ["connections"] = new JsonArray([.. loop.Select(p => (JsonNode)p.Connections)]),
                ["threadsRequestsPerSecond"] = new JsonArray([.. threads.Select(p => (JsonNode)p.RequestsPerSecond)]),
                ["loopRequestsPerSecond"] = new JsonArray([.. loop.Select(p => (JsonNode)p.RequestsPerSecond)]),
                ["threadsRssBytesPerConnection"] = new JsonArray([.. threads.Select(p => (JsonNode)p.ServerRssBytesPerConnection)]),
                ["loopRssBytesPerConnection"] = new JsonArray([.. loop.Select(p => (JsonNode)p.ServerRssBytesPerConnection)]),
                ["threadsCpuMicrosecondsPerRequest"] = new JsonArray([.. threads.Select(p => (JsonNode)p.ServerCpuMicrosecondsPerRequest)]),
                ["loopCpuMicrosecondsPerRequest"] = new JsonArray([.. loop.Select(p => (JsonNode)p.ServerCpuMicrosecondsPerRequest)]),
                ["throughputRatioAtMax"] = speed,
                ["memoryRatioAtMax"] = mem,
                ["errors"] = errors,
            });
    }

    private static string Results(int n) => n == 1 ? "1 result" : Format($"{n} different results");

    private static CompareRow Debugging(CompareMeasurements m)
    {
        RaceResult r = m.Races;
        int threadOutcomes = r.ThreadsLost.Distinct().Count();
        int loopOutcomes = r.SplitLost.Distinct().Count();
        VirtualTimeResult v = m.VirtualTime;
        string measured = loopOutcomes == 1 && threadOutcomes > 1
            ? Format($"Confirmed where measured: the same racy program gave {threadOutcomes} different results in {r.ThreadsLost.Length} runs on threads and one on the loop, where interleavings repeat exactly and a race reproduces. ")
            : Format($"Measured: {Results(threadOutcomes)} in {r.ThreadsLost.Length} thread runs, {Results(loopOutcomes)} in {r.SplitLost.Length} loop runs. ");
        string verdict = measured + Format($"Virtual time ran an hour of Aio.Sleep in {v.WallMilliseconds:0.#} ms, so timing bugs are testable. (Qualitative) A task can only be interrupted at an await you can see; Aio.AllTasks() lists what each task waits on; a debugger pausing one thread changes how threads interleave.");
        return new CompareRow(
            "debugging",
            "Debugging",
            new SeedClaim("Harder (race conditions)", "Easier (predictable switching)"),
            Format($"racy counter, {r.ThreadsLost.Length} identical runs: {Results(threadOutcomes)} ({List(r.ThreadsLost)} lost)"),
            Format($"racy counter (await inside the update), {r.SplitLost.Length} runs: {Results(loopOutcomes)} ({List(r.SplitLost)} lost); 1 h of Aio.Sleep in {v.WallMilliseconds:0.#} ms (virtual clock)"),
            verdict,
            loopOutcomes == 1 && threadOutcomes > 1 ? "tasks" : "tie",
            "measured + qualitative",
            new JsonObject
            {
                ["threadRuns"] = r.ThreadsLost.Length,
                ["threadDistinctOutcomes"] = threadOutcomes,
                ["loopRuns"] = r.SplitLost.Length,
                ["loopDistinctOutcomes"] = loopOutcomes,
                ["virtualSeconds"] = v.VirtualSeconds,
                ["virtualHourWallMilliseconds"] = v.WallMilliseconds,
            });
    }
}
