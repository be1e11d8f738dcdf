using System.Globalization;

namespace Asyncio.Benchmarks.Harness;

/// <summary>Console-mode options: <c>&lt;workload&gt; [--reps N] [--quick] [--ops N] [--tasks N] [--sleep S]</c>.</summary>
internal sealed class Options
{
    /// <summary>Divisor applied to every default size by <c>--quick</c>.</summary>
    public const int QuickDivisor = 20;

    public required string Workload { get; init; }

    /// <summary>Repetitions; null: the workload's default.</summary>
    public int? Reps { get; init; }

    public bool Quick { get; init; }

    /// <summary>
    /// <c>--listen-metrics</c>: a MeterListener subscribes to every instrument of the <c>Asyncio</c> meter for the whole
    /// run (as <c>dotnet-counters</c> would), so the figures include the cost of metrics being recorded.
    /// </summary>
    public bool ListenMetrics { get; init; }

    /// <summary>
    /// <c>--metrics-ab</c>: after each repetition of our loop's case, the same case again while a MeterListener listens
    /// to the <c>Asyncio</c> meter, in the same process; prints the per-repetition ratio of loop-thread CPU per
    /// operation (listened ÷ not), which process-to-process noise cannot blur.
    /// </summary>
    public bool MetricsAb { get; init; }

    /// <summary>
    /// Overrides the operation count of the throughput workloads (all runtimes): callbacks, round trips, awaits,
    /// semaphore acquisitions, queue items, gathered children.
    /// </summary>
    public long? OpsOverride { get; init; }

    /// <summary>Tasks for <c>spawn</c>; null: the default.</summary>
    public int? TasksOverride { get; init; }

    /// <summary>Seconds each spawned task sleeps; null: the default (1 s, 0.1 s with <c>--quick</c>).</summary>
    public double? SleepOverride { get; init; }

    /// <summary>
    /// The operation count for a run: the workload's <paramref name="full"/> default (or <c>--ops</c>), divided by
    /// <see cref="QuickDivisor"/> with <c>--quick</c>; a tenth of that (at least 1,000) for the warm-up.
    /// </summary>
    public long Ops(long full, bool warmup)
    {
        long n = OpsOverride ?? (Quick ? Math.Max(full / QuickDivisor, 1000) : full);
        return warmup ? Math.Max(n / 10, 1000) : n;
    }

    /// <summary>Tasks for spawn: 1,000,000 by default, 20,000 with <c>--quick</c>; 10,000 for the warm-up.</summary>
    public int Tasks(bool warmup) => warmup ? 10_000 : TasksOverride ?? (Quick ? 20_000 : 1_000_000);

    /// <summary>Seconds each spawned task sleeps: 1 s by default, 0.1 s with <c>--quick</c>; 0.02 s for the warm-up.</summary>
    public double SleepSeconds(bool warmup) => warmup ? 0.02 : SleepOverride ?? (Quick ? 0.1 : 1.0);

    /// <summary>Parses the command line; on a bad argument returns null and sets <paramref name="error"/>.</summary>
    public static Options? Parse(string[] args, out string? error)
    {
        error = null;
        if (args.Length == 0)
        {
            error = "no workload given.";
            return null;
        }

        string workload = args[0];
        int? reps = null;
        bool quick = false;
        bool listenMetrics = false;
        bool metricsAb = false;
        long? ops = null;
        int? tasks = null;
        double? sleep = null;
        for (int i = 1; i < args.Length; i++)
        {
            string a = args[i];
            switch (a)
            {
                case "--quick":
                    quick = true;
                    break;
                case "--metrics-ab":
                    metricsAb = true;
                    break;
                case "--listen-metrics":
                    listenMetrics = true;
                    break;
                case "--reps":
                    if (!TryInt(args, ref i, a, 1, 1000, out int r, out error))
                    {
                        return null;
                    }

                    reps = r;
                    break;
                case "--ops":
                    if (!TryInt(args, ref i, a, 1000, int.MaxValue, out int o, out error))
                    {
                        return null;
                    }

                    ops = o;
                    break;
                case "--tasks":
                    if (!TryInt(args, ref i, a, 1, 50_000_000, out int t, out error))
                    {
                        return null;
                    }

                    tasks = t;
                    break;
                case "--sleep":
                    if (i + 1 >= args.Length || !double.TryParse(args[i + 1], NumberStyles.Float, CultureInfo.InvariantCulture, out double s)
                        || !(s > 0 && s <= 60))
                    {
                        error = "--sleep needs a number of seconds in (0, 60].";
                        return null;
                    }

                    i++;
                    sleep = s;
                    break;
                default:
                    error = $"unknown option '{a}'.";
                    return null;
            }
        }

        return new Options
        {
            Workload = workload,
            Reps = reps,
            Quick = quick,
            ListenMetrics = listenMetrics,
            MetricsAb = metricsAb,
            OpsOverride = ops,
            TasksOverride = tasks,
            SleepOverride = sleep,
        };
    }

    private static bool TryInt(string[] args, ref int i, string name, int min, int max, out int value, out string? error)
    {
        error = null;
        if (i + 1 >= args.Length
            || !int.TryParse(args[i + 1].Replace("_", "", StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out value)
            || value < min || value > max)
        {
            value = 0;
            error = $"{name} needs an integer in [{Format.Count(min)}, {Format.Count(max)}].";
            return false;
        }

        i++;
        return true;
    }
}
