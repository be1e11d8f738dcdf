using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Bench;

/// <summary>
/// The table of one <c>aio bench</c> run: per workload and metric, our loop's median and each runtime's median with
/// Asyncio.NET's advantage over it (above 1×: ours is better, whichever way the metric goes).
/// </summary>
internal static class BenchTable
{
    private static readonly (string Workload, string Metric)[] Order =
    [
        ("callsoon", "ops_per_s"), ("callsoon", "bytes_per_op"),
        ("callsoon_chain", "ops_per_s"), ("callsoon_chain", "bytes_per_op"),
        ("pingpong", "ops_per_s"), ("pingpong", "bytes_per_op"),
        ("yield", "ns_per_op"), ("yield", "bytes_per_op"),
        ("spawn_coroutine", "bytes_per_task"), ("spawn_coroutine", "rss_bytes_per_task"), ("spawn_coroutine", "seconds"),
        ("spawn_task", "bytes_per_task"), ("spawn_task", "rss_bytes_per_task"), ("spawn_task", "seconds"),
    ];

    public static bool HigherIsBetter(string metric) => metric.StartsWith("ops_per_s", StringComparison.Ordinal);

    public static string Human(string metric, double v) => metric switch
    {
        _ when metric.StartsWith("ops_per_s", StringComparison.Ordinal) => Units.Rate(v),
        "ns_per_op" => Units.Nanoseconds(v),
        "seconds" => Units.Nanoseconds(v * 1e9),
        _ => v < 10 && v > 0 ? $"{v:0.##} B".Replace(",", ".", StringComparison.Ordinal) : Units.Bytes(v),
    };

    /// <summary>How many times better our figure is than <paramref name="peer"/>'s.</summary>
    public static double Advantage(string metric, double ours, double peer) => HigherIsBetter(metric) ? ours / peer : peer / ours;

    /// <summary>The bracketed ratio of a cell; byte counts under half a byte count as zero (no ratio of two noises).</summary>
    public static string RatioText(string metric, double ours, double peer)
    {
        if (metric.Contains("bytes", StringComparison.Ordinal) && (ours < 0.5 || peer < 0.5))
        {
            return (ours < 0.5, peer < 0.5) switch
            {
                (true, true) => "both ≈ 0 B",
                (true, false) => "ours ≈ 0 B",
                _ => "theirs ≈ 0 B",
            };
        }

        return Units.Ratio(Advantage(metric, ours, peer));
    }

    public static void Write(BenchReport r, TextWriter o)
    {
        var runtimes = new List<(string Id, string Label)>(Peers.DotnetRuntimes);
        runtimes.AddRange(r.Peers.Where(p => p.Found).Select(p => (p.Id, $"{p.Label} ({p.Version})")));
        var byKey = r.Figures.ToDictionary(f => (f.Workload, f.Runtime, f.Metric));

        o.WriteLine($"aio bench{(r.Mode == "quick" ? " --quick" : "")}: {r.Repetitions} repetitions, {Environment.ProcessorCount} cores, {System.Runtime.InteropServices.RuntimeInformation.FrameworkDescription}; {r.DurationSeconds:0} s");
        o.WriteLine();
        string[] header = ["workload", "metric", .. runtimes.Select(x => x.Label)];
        var rows = new List<string[]> { header };
        foreach (var (workload, metric) in Order)
        {
            if (!byKey.TryGetValue((workload, "asyncio", metric), out BenchFigure? ours))
            {
                continue;
            }

            var cells = new List<string> { workload, metric, Human(metric, ours.Value) };
            foreach (var (id, _) in runtimes.Skip(1))
            {
                // The harness names its peers' spawn rows "spawn" (its own loop has spawn_coroutine and spawn_task).
                if (!byKey.TryGetValue((workload, id, metric), out BenchFigure? peer)
                    && !(workload.StartsWith("spawn_", StringComparison.Ordinal) && byKey.TryGetValue(("spawn", id, metric), out peer)))
                {
                    cells.Add("–");
                    continue;
                }

                cells.Add($"{Human(metric, peer.Value)} ({RatioText(metric, ours.Value, peer.Value)})");
            }

            rows.Add([.. cells]);
        }

        int[] widths = [.. Enumerable.Range(0, header.Length).Select(i => rows.Max(row => row[i].Length))];
        void Line(string[] cells) => o.WriteLine("| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |");
        Line(rows[0]);
        o.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (string[] row in rows.Skip(1))
        {
            Line(row);
        }

        o.WriteLine();
        o.WriteLine("Cells: the median of the repetitions; in brackets, Asyncio.NET's advantage over that runtime in this run");
        o.WriteLine("(its rate ÷ theirs for ops_per_s, their cost ÷ ours for time and bytes): above 1× ours is better, below 1× theirs is.");
        o.WriteLine("The thread pool uses every core; every other runtime runs its workload on one thread. Operation counts differ");
        o.WriteLine($"per runtime (rates do not depend on them); spawn: {BenchCommand.SpawnTasks(r.Mode == "quick"):N0} tasks everywhere, each sleeping {(r.Mode == "quick" ? "0.1" : "1")} s; seconds = wall time beyond the sleep.");
        foreach (BenchFigure f in r.Figures.Where(f => f.Metric.StartsWith("ops_per_s_", StringComparison.Ordinal) && !f.Metric.EndsWith("_min", StringComparison.Ordinal)))
        {
            o.WriteLine($"Variant: {f.Workload} {f.Runtime} {f.Metric["ops_per_s_".Length..]}: {Units.Rate(f.Value)}");
        }

        o.WriteLine();
        o.WriteLine("Peers:");
        foreach (PeerRuntime p in r.Peers)
        {
            o.WriteLine(p.Found
                ? $"  {p.Label}: {p.Version} ({p.Executable})"
                : $"  {p.Label}: not installed ({p.Missing}). Install it with: {p.InstallHint}");
        }

        foreach (string failure in r.Failures)
        {
            o.WriteLine($"  FAILED: {failure}");
        }
    }
}
