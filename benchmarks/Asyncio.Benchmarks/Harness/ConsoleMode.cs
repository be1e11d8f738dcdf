using System.Runtime;
using System.Runtime.InteropServices;
using Asyncio.Benchmarks.Workloads;

namespace Asyncio.Benchmarks.Harness;

/// <summary>
/// The plain console mode: <c>&lt;workload&gt; [options]</c>. Runs each workload's cases interleaved (rep 1: asyncio,
/// threadpool, asynccontext; rep 2: ...), each after a forced GC and a short warm-up, then prints RESULT lines and a
/// table of medians, ranges and ratios.
/// </summary>
internal static class ConsoleMode
{
    private static readonly IWorkload CallSoon = new CallSoonWorkload();
    private static readonly IWorkload CallSoonChain = new CallSoonChainWorkload();
    private static readonly IWorkload PingPong = new PingPongWorkload();
    private static readonly IWorkload Yield = new YieldWorkload();
    private static readonly IWorkload Spawn = new SpawnWorkload();
    private static readonly IWorkload Semaphore = new SemaphoreWorkload();
    private static readonly IWorkload Queue = QueueWorkload.OneToOne;
    private static readonly IWorkload QueueHandOff = QueueWorkload.HandOff;
    private static readonly IWorkload Queue10x10 = QueueWorkload.TenByTen;
    private static readonly IWorkload Gather = GatherWorkload.YieldOnce;
    private static readonly IWorkload GatherImmediate = GatherWorkload.Immediate;
    private static readonly IWorkload Echo = new EchoWorkload();

    /// <summary>Command-line names and what each runs (<c>callsoon</c> includes its chain variant).</summary>
    private static readonly (string Name, IWorkload[] Runs, string Help)[] Commands =
    [
        ("callsoon", [CallSoon, CallSoonChain], CallSoon.Summary + " Also runs callsoon_chain."),
        ("callsoon_chain", [CallSoonChain], CallSoonChain.Summary),
        ("pingpong", [PingPong], PingPong.Summary),
        ("yield", [Yield], Yield.Summary),
        ("spawn", [Spawn], Spawn.Summary),
        ("semaphore", [Semaphore], Semaphore.Summary),
        ("queue", [Queue, QueueHandOff, Queue10x10], Queue.Summary + " Also runs queue-handoff and queue-10x10."),
        ("queue-handoff", [QueueHandOff], QueueHandOff.Summary),
        ("queue-10x10", [Queue10x10], Queue10x10.Summary),
        ("gather", [Gather, GatherImmediate], Gather.Summary + " Also runs gather-immediate."),
        ("gather-immediate", [GatherImmediate], GatherImmediate.Summary),
        ("echo", [Echo], Echo.Summary),
        ("streams_echo", [new EchoWorkload(protocol: false)], "Only the streams half of echo."),
        ("protocol_echo", [new EchoWorkload(streams: false)], "Only the protocol half of echo."),
        ("all", [CallSoon, CallSoonChain, PingPong, Yield, Spawn, Semaphore, Queue, QueueHandOff, Queue10x10, Gather, GatherImmediate],
            "Every workload above, one after the other."),
    ];

    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        if (args.Length > 0 && args[0] is "-h" or "--help" or "help")
        {
            stdout.Write(Usage());
            return 0;
        }

        Options? options = Options.Parse(args, out string? error);
        if (options is null)
        {
            stderr.WriteLine($"error: {error}");
            stderr.Write(Usage());
            return 2;
        }

        var command = Commands.FirstOrDefault(c => c.Name == options.Workload);
        if (command.Name is null)
        {
            stderr.WriteLine($"error: unknown workload '{options.Workload}'. Valid workloads: {string.Join(", ", Commands.Select(c => c.Name))}.");
            stderr.Write(Usage());
            return 2;
        }

        using MetricsSubscription? metrics = options.ListenMetrics ? new MetricsSubscription() : null;
        PrintHeader(stdout, stderr, options);
        var rows = new List<TableRow>();
        bool failed = false;
        foreach (IWorkload workload in command.Runs)
        {
            int reps = options.Reps ?? workload.DefaultReps;
            IReadOnlyList<Case> cases = workload.Cases(options);
            var samples = Interleave(workload, cases, reps, stderr, ref failed, options.MetricsAb ? stdout : null);
            rows.AddRange(Report.Emit(workload, options, cases, samples, stdout));
        }

        stdout.WriteLine();
        Report.PrintTable(rows, stdout);
        if (failed)
        {
            stderr.WriteLine("# Some measurements failed (see the ERROR lines above).");
            return 1;
        }

        return 0;
    }

    /// <summary>Runs <paramref name="reps"/> rounds of every case, each after a forced GC and a warm-up run.</summary>
    private static Dictionary<Case, List<Sample?>> Interleave(IWorkload workload, IReadOnlyList<Case> cases, int reps, TextWriter log, ref bool failed,
        TextWriter? metricsAb = null)
    {
        var samples = cases.ToDictionary(c => c, _ => new List<Sample?>());
        var abRatios = new List<double>();
        log.WriteLine($"# {workload.Name}: {reps} interleaved repetitions of {string.Join(", ", cases.Select(c => c.Describe()))}");
        for (int rep = 1; rep <= reps; rep++)
        {
            foreach (Case c in cases)
            {
                Sample? sample = null;
                try
                {
                    Measure.Settle();
                    WarmUp(c, firstRep: rep == 1, workload.FullSizeFirstWarmUp);
                    Measure.Settle();
                    sample = c.Run(false);
                    log.WriteLine($"#   rep {rep}/{reps} {c.Describe()}: {Describe(workload, sample)}");
                }
                catch (Exception e)
                {
                    failed = true;
                    log.WriteLine($"# ERROR rep {rep}/{reps} {c.Describe()}: {e}");
                }

                samples[c].Add(sample);
                if (metricsAb is not null && c.Runtime == Runtime.Asyncio && sample is not null)
                {
                    abRatios.Add(MeasureListened(c, sample, log));
                }
            }
        }

        if (metricsAb is not null && abRatios.Count > 0)
        {
            Stats ab = Stats.Of(abRatios);
            metricsAb.WriteLine($"# {workload.Name}: loop-thread CPU per op with the Asyncio meter listened ÷ without, same process, " +
                                $"{abRatios.Count} pairs: median {ab.Median:0.000} [{ab.Min:0.000}–{ab.Max:0.000}]");
            metricsAb.WriteLine(FormattableString.Invariant($"RESULT workload={workload.Name} runtime=asyncio metric=metrics_cpu_ratio value={ab.Median:0.0000}"));
        }

        return samples;
    }

    /// <summary>The case once more while the meter is listened to: its CPU per op ÷ that of <paramref name="plain"/>.</summary>
    private static double MeasureListened(Case c, Sample plain, TextWriter log)
    {
        Sample listened;
        using (new MetricsSubscription())
        {
            Measure.Settle();
            c.Run(true);
            Measure.Settle();
            listened = c.Run(false);
        }

        double ratio = listened.Get(Metric.CpuNsPerOp) / plain.Get(Metric.CpuNsPerOp);
        log.WriteLine($"#   metrics listened {c.Describe()}: {listened.Get(Metric.CpuNsPerOp):0.0} ns CPU/op, {ratio:0.000}× the run before");
        return ratio;
    }

    /// <summary>
    /// Runs the case at its small warm-up size. Before the first repetition, more: small, full-size (unless the
    /// workload is too heavy for that), small, small, with idle gaps of <see cref="TieringGapMs"/> between them. The
    /// tiered JIT starts counting calls only after ~100 ms without new tier-0 compiles and promotes hot methods in the
    /// background, and methods called once per run (RunForever) only reach optimized code through on-stack
    /// replacement inside a long run; without this, rep 1 was measured partly in unoptimized code (seen as ~24 B and
    /// ~150 ns per await in --quick runs, and as half the callsoon rate). Later repetitions: one small run.
    /// </summary>
    private static void WarmUp(Case c, bool firstRep, bool fullSizeFirst)
    {
        c.Run(true);
        if (!firstRep)
        {
            return;
        }

        for (int i = 0; i < 3; i++)
        {
            Thread.Sleep(TieringGapMs);
            c.Run(!(fullSizeFirst && i == 0));   // false: a full-size run
        }
    }

    private const int TieringGapMs = 150;

    private static string Describe(IWorkload workload, Sample s)
    {
        string figures = string.Join(", ", workload.Metrics.Select(m => $"{m.Name}={m.Human(s.Get(m))}"));
        string note = s.Note is null ? "" : $" [{s.Note}]";
        return $"{figures} (n={Format.Count(s.Count)}){note}";
    }

    private static void PrintHeader(TextWriter stdout, TextWriter stderr, Options options)
    {
        stdout.WriteLine($"# Asyncio.Benchmarks {options.Workload}{(options.Quick ? " --quick" : "")}: {DateTime.UtcNow:yyyy-MM-dd HH:mm} UTC, " +
                         $"{RuntimeInformation.FrameworkDescription}, {RuntimeInformation.OSDescription}, {Environment.ProcessorCount} cores, " +
                         $"GC {(GCSettings.IsServerGC ? "server" : "workstation")}{(GCSettings.LatencyMode == GCLatencyMode.Batch ? "" : ", concurrent")}");
#if DEBUG
        stderr.WriteLine("# WARNING: this is a Debug build; run with -c Release for meaningful numbers.");
#endif
        foreach (string v in new[] { "ASYNCIO_SEED", "ASYNCIO_DEBUG" })
        {
            if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(v)))
            {
                stderr.WriteLine($"# WARNING: {v} is set; the loop's scheduling or checks differ from the defaults.");
            }
        }
    }

    public static string Usage()
    {
        var w = new StringWriter();
        w.WriteLine("usage: Asyncio.Benchmarks <workload> [--reps N] [--quick] [--ops N] [--tasks N] [--sleep S] [--listen-metrics] [--metrics-ab]");
        w.WriteLine("       Asyncio.Benchmarks bdn [BenchmarkDotNet arguments, e.g. --filter *Yield* --job short]");
        w.WriteLine();
        w.WriteLine("Each workload runs on runtime=asyncio (our loop), runtime=threadpool (.NET's pool, all cores) and");
        w.WriteLine("runtime=asynccontext (Nito's AsyncContext, one thread), interleaved, and reports the median of the repetitions.");
        w.WriteLine();
        w.WriteLine("workloads:");
        foreach (var (name, _, help) in Commands)
        {
            w.WriteLine($"  {name,-16} {help}");
        }

        w.WriteLine();
        w.WriteLine("options:");
        w.WriteLine("  --reps N    repetitions per figure (default 5)");
        w.WriteLine($"  --quick     sizes divided by {Options.QuickDivisor}, spawn with 20,000 tasks sleeping 0.1 s, semaphore with its 10,000 tasks");
        w.WriteLine("              doing fewer rounds (all --quick: about 35 s)");
        w.WriteLine("  --listen-metrics  subscribe to the Asyncio meter for the whole run (the cost of metrics being recorded)");
        w.WriteLine("  --metrics-ab      after each repetition of our loop, one more with the meter listened; prints the CPU ratio");
        w.WriteLine("  --ops N     operations per measurement for callsoon, callsoon_chain, pingpong, yield (every runtime);");
        w.WriteLine("              acquisitions for semaphore, items for the queue workloads, children for the gather workloads");
        w.WriteLine("  --tasks N   tasks for spawn (default 1,000,000)");
        w.WriteLine("  --sleep S   seconds each spawned task sleeps (default 1)");
        return w.ToString();
    }
}
