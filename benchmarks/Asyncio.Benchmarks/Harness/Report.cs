namespace Asyncio.Benchmarks.Harness;

/// <summary>One row of the final table: one figure of our loop next to the same figure on each peer.</summary>
internal sealed record TableRow(
    string Workload,
    Metric Metric,
    Stats Asyncio,
    IReadOnlyDictionary<Runtime, (Stats Value, string? Variant)> Peers,
    IReadOnlyDictionary<Runtime, (double RatioOfMedians, Stats PerRep)> Ratios,
    Target? Target);

/// <summary>Turns repetitions into RESULT lines (median, min, max) and table rows (with asyncio/peer ratios).</summary>
internal static class Report
{
    public static List<TableRow> Emit(IWorkload workload, Options options, IReadOnlyList<Case> cases, Dictionary<Case, List<Sample?>> samples, TextWriter o)
    {
        Metric primary = workload.Metrics[0];
        var rows = new List<TableRow>();
        o.WriteLine();
        foreach (string note in workload.Notes(options))
        {
            o.WriteLine($"# {note}");
        }

        // Peers with several implementations keep the better one (by the primary figure's median).
        var chosen = new Dictionary<Runtime, Case>();
        foreach (Runtime peer in RuntimeNames.Peers)
        {
            var candidates = cases.Where(c => c.Runtime == peer).ToList();
            if (candidates.Count == 0)
            {
                continue;
            }

            Case best = candidates
                .OrderBy(c => Median(samples[c], primary) is var m && double.IsNaN(m) ? double.PositiveInfinity : primary.HigherIsBetter ? -m : m)
                .First();
            chosen[peer] = best;
            if (candidates.Count > 1)
            {
                o.WriteLine($"# {best.Workload} {peer.Id()}: variants {string.Join(", ", candidates.Select(c => $"{c.Variant} {primary.Human(Median(samples[c], primary))}"))}; " +
                            $"reporting the better one, {best.Variant}.");
            }
        }

        var reported = cases.Where(c => c.Runtime == Runtime.Asyncio).Concat(chosen.Values).ToList();
        foreach (Case c in reported)
        {
            foreach (Metric m in workload.Metrics)
            {
                Stats s = Stats.Of(Values(samples[c], m));
                Result(o, c, m.Name, s.Median);
                Result(o, c, m.Name + "_min", s.Min);
                Result(o, c, m.Name + "_max", s.Max);
            }

            if (c.Runtime == Runtime.Asyncio && !workload.Metrics.Contains(Metric.CpuNsPerOp) && Stats.Of(Values(samples[c], Metric.CpuNsPerOp)) is { } cpu && double.IsFinite(cpu.Median))
            {
                Result(o, c, Metric.CpuNsPerOp.Name, cpu.Median);
            }

            foreach (Case variant in cases.Where(v => v.Runtime == c.Runtime && v.Variant is not null && c.Variant is not null))
            {
                Result(o, variant, $"{primary.Name}_{variant.Variant}", Median(samples[variant], primary));
            }
        }

        foreach (Case a in cases.Where(c => c.Runtime == Runtime.Asyncio))
        {
            foreach (Metric m in workload.Metrics)
            {
                var peers = new Dictionary<Runtime, (Stats, string?)>();
                var ratios = new Dictionary<Runtime, (double, Stats)>();
                Stats ours = Stats.Of(Values(samples[a], m));
                foreach (var (peer, p) in chosen)
                {
                    Stats theirs = Stats.Of(Values(samples[p], m));
                    peers[peer] = (theirs, p.Variant);
                    var perRep = samples[a].Zip(samples[p], (x, y) => x is null || y is null ? double.NaN : x.Get(m) / y.Get(m))
                        .Where(double.IsFinite);
                    ratios[peer] = (ours.Median / theirs.Median, Stats.Of(perRep));
                }

                Target? target = workload.Targets.FirstOrDefault(t => t.Workload == a.Workload && t.Metric == m);
                rows.Add(new TableRow(a.Workload, m, ours, peers, ratios, target));
            }
        }

        return rows;
    }

    private static void Result(TextWriter o, Case c, string metric, double value) =>
        o.WriteLine($"RESULT workload={c.Workload} runtime={c.Runtime.Id()} metric={metric} value={Format.Value(value)}");

    private static IEnumerable<double> Values(List<Sample?> samples, Metric m) => samples.Select(s => s?.Get(m) ?? double.NaN);

    private static double Median(List<Sample?> samples, Metric m) => Stats.Of(Values(samples, m)).Median;

    /// <summary>A Markdown table: median [min – max] per runtime, asyncio/peer ratio of medians [per-repetition range], target.</summary>
    public static void PrintTable(List<TableRow> rows, TextWriter o)
    {
        string[] header =
        [
            "workload", "metric", Runtime.Asyncio.Label(), Runtime.ThreadPool.Label(), Runtime.AsyncContext.Label(),
            "asyncio / threadpool", "asyncio / asynccontext", "our target",
        ];
        var table = new List<string[]> { header };
        foreach (TableRow r in rows)
        {
            table.Add(
            [
                r.Workload,
                r.Metric.Name,
                Cell(r.Metric, r.Asyncio, null),
                r.Peers.TryGetValue(Runtime.ThreadPool, out var tp) ? Cell(r.Metric, tp.Value, tp.Variant) : "–",
                r.Peers.TryGetValue(Runtime.AsyncContext, out var ac) ? Cell(r.Metric, ac.Value, ac.Variant) : "–",
                RatioCell(r, Runtime.ThreadPool),
                RatioCell(r, Runtime.AsyncContext),
                r.Target is { } t ? $"{t.Text}: {Verdict(r, t)}" : "",
            ]);
        }

        int[] widths = Enumerable.Range(0, header.Length).Select(i => table.Max(row => row[i].Length)).ToArray();
        void Line(string[] cells) => o.WriteLine("| " + string.Join(" | ", cells.Select((c, i) => c.PadRight(widths[i]))) + " |");
        Line(table[0]);
        o.WriteLine("|" + string.Join("|", widths.Select(w => new string('-', w + 2))) + "|");
        foreach (string[] row in table.Skip(1))
        {
            Line(row);
        }

        o.WriteLine();
        o.WriteLine("Cells: median [min – max] over the repetitions. Ratios: asyncio median / peer median [range of the per-repetition ratios];");
        o.WriteLine("above 1 is better for ops_per_s, below 1 is better for every other metric.");
    }

    /// <summary>met / MISSED / no data: our median against the bound, or for a relative target the ratio of medians.</summary>
    private static string Verdict(TableRow r, Target t)
    {
        double value = r.Asyncio.Median;
        if (t.Versus is { } peer)
        {
            value = r.Ratios.TryGetValue(peer, out var ratio) ? ratio.RatioOfMedians : double.NaN;
        }

        return double.IsNaN(value) ? "no data" : t.IsMet(value) ? "met" : "MISSED";
    }

    private static string Cell(Metric m, Stats s, string? variant)
    {
        if (s.Count == 0)
        {
            return "no data";
        }

        string v = variant is null ? "" : $" ({variant})";
        return s.Count == 1 ? m.Human(s.Median) + v : $"{m.Human(s.Median)} [{m.Human(s.Min)} – {m.Human(s.Max)}]{v}";
    }

    private static string RatioCell(TableRow r, Runtime peer)
    {
        if (!r.Ratios.TryGetValue(peer, out var ratio))
        {
            return "–";
        }

        if (r.Metric.Name.Contains("bytes", StringComparison.Ordinal) && r.Asyncio.Median < 0.5 && r.Peers[peer].Value.Median < 0.5)
        {
            return "both ≈ 0 B";
        }

        if (!double.IsFinite(ratio.RatioOfMedians))
        {
            return "–";
        }

        return ratio.PerRep.Count > 1
            ? $"{Format.Ratio(ratio.RatioOfMedians)}× [{Format.Ratio(ratio.PerRep.Min)}–{Format.Ratio(ratio.PerRep.Max)}]"
            : $"{Format.Ratio(ratio.RatioOfMedians)}×";
    }
}
