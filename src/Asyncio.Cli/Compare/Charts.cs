using Asyncio.Cli.Compare.Measurements;
using ScottPlot;
using ScottPlot.TickGenerators;

namespace Asyncio.Cli.Compare;

/// <summary>
/// PNG charts of a comparison with ScottPlot. Text is drawn with the DejaVu Sans file shipped beside this tool
/// (<c>fonts/</c>), registered with ScottPlot's font resolver, so charts render the same on a machine without any
/// fontconfig font.
/// </summary>
internal static class Charts
{
    private const string FontName = "DejaVu Sans";
    private const int Width = 960;
    private const int Height = 600;
    private static readonly Color ThreadsColor = Color.FromHex("#1f77b4");
    private static readonly Color TasksColor = Color.FromHex("#2ca02c");
    private static readonly object FontLock = new();
    private static bool s_fontRegistered;

    /// <summary>Path of the bundled font, or null if it is missing.</summary>
    public static string? FontPath()
    {
        string path = Path.Combine(AppContext.BaseDirectory, "fonts", "DejaVuSans.ttf");
        if (File.Exists(path))
        {
            return path;
        }

        path = Path.Combine(Path.GetDirectoryName(typeof(Charts).Assembly.Location)!, "fonts", "DejaVuSans.ttf");
        return File.Exists(path) ? path : null;
    }

    /// <summary>Writes every chart into <paramref name="directory"/> (created if needed); returns the files written.</summary>
    public static IReadOnlyList<string> Write(CompareMeasurements m, string directory)
    {
        RegisterFont();
        Directory.CreateDirectory(directory);
        var files = new List<string>
        {
            Save(MemoryChart(m), Path.Combine(directory, "memory.png")),
            Save(SwitchChart(m), Path.Combine(directory, "switch-cost.png")),
            Save(ThroughputChart(m), Path.Combine(directory, "io-throughput.png")),
            Save(IoMemoryChart(m), Path.Combine(directory, "io-memory.png")),
            Save(CpuChart(m), Path.Combine(directory, "cpu-bound.png")),
        };
        return files;
    }

    private static void RegisterFont()
    {
        lock (FontLock)
        {
            if (s_fontRegistered)
            {
                return;
            }

            string path = FontPath() ?? throw new FileNotFoundException(
                "The chart font (fonts/DejaVuSans.ttf beside aio) is missing; reinstall the tool.", "fonts/DejaVuSans.ttf");
            Fonts.AddFontFile(FontName, path, bold: false, italic: false);
            Fonts.AddFontFile(FontName, path, bold: true, italic: false);   // titles: the regular face, drawn as bold text
            Fonts.Default = FontName;
            s_fontRegistered = true;
        }
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Font.Set(FontName);
        plot.Title(title);
        plot.XLabel(x);
        plot.YLabel(y);
        return plot;
    }

    private static string Save(Plot plot, string path)
    {
        plot.SavePng(path, Width, Height);
        plot.Dispose();
        return path;
    }

    private static NumericAutomatic LogTicks(Func<double, string> format) => new()
    {
        MinorTickGenerator = new LogMinorTickGenerator(),
        IntegerTicksOnly = true,
        LabelFormatter = v => format(Math.Pow(10, v)),
    };

    private static string Compact(double v) =>
        v >= 1e6 ? $"{v / 1e6:0.#}M" : v >= 1e3 ? $"{v / 1e3:0.#}k" : $"{v:0.##}";

    private static Plot MemoryChart(CompareMeasurements m)
    {
        Plot plot = NewPlot(
            "Memory against concurrency (process RSS; log-log)",
            "units alive (blocked OS threads / suspended Asyncio.NET tasks)",
            "MiB");
        static double Log(double v) => Math.Log10(Math.Max(v, 1e-3));
        void Series(ConcurrencyResult r, Func<ConcurrencyPoint, double> value, string label, Color color, LinePattern pattern)
        {
            var points = r.Checkpoints.Where(p => p.Units > 0).ToList();
            if (points.Count == 0)
            {
                return;
            }

            var s = plot.Add.ScatterLine(
                points.Select(p => Log(p.Units)).ToArray(),
                points.Select(p => Log(value(p) / 1048576.0)).ToArray(),
                color);
            s.LegendText = label;
            s.LinePattern = pattern;
            s.LineWidth = 2;
            s.MarkerSize = 7;
            s.MarkerShape = MarkerShape.FilledCircle;
        }

        Series(m.Threads, p => p.RssBytes, "OS threads: RSS", ThreadsColor, LinePattern.Solid);
        Series(m.Threads, p => p.VmSizeBytes, "OS threads: address space reserved (VmSize)", ThreadsColor, LinePattern.Dashed);
        Series(m.Tasks, p => p.RssBytes, "tasks: RSS", TasksColor, LinePattern.Solid);
        Series(m.Tasks, p => p.GcHeapBytes, "tasks: GC heap", TasksColor, LinePattern.Dotted);
        plot.Axes.Bottom.TickGenerator = LogTicks(Compact);
        plot.Axes.Left.TickGenerator = LogTicks(v => v >= 1 ? v.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : $"{v:0.##}");
        // Head-room above the highest line for the legend.
        var all = m.Threads.Checkpoints.SelectMany(p => new[] { p.RssBytes, p.VmSizeBytes })
            .Concat(m.Tasks.Checkpoints.SelectMany(p => new[] { p.RssBytes, p.GcHeapBytes })).Where(b => b > 0).Select(b => Log(b / 1048576.0)).ToList();
        if (all.Count > 0)
        {
            plot.Axes.SetLimitsY(all.Min() - 0.3, all.Max() + 1.6);
        }

        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot SwitchChart(CompareMeasurements m)
    {
        Plot plot = NewPlot("Cost of one hand-off between two units (ping-pong)", "", "nanoseconds per hand-off");
        var bars = new List<Bar>();
        var ticks = new List<Tick>();
        for (int i = 0; i < m.Switches.Count; i++)
        {
            SwitchResult s = m.Switches[i];
            bars.Add(new Bar
            {
                Position = i,
                Value = s.NsPerSwitch,
                FillColor = s.Runtime == "threads" ? ThreadsColor : TasksColor,
                Label = $"{s.NsPerSwitch:0} ns",
            });
            ticks.Add(new Tick(i, $"{(s.Runtime == "threads" ? "OS threads" : "tasks")}\n{s.Variant}", true));
        }

        var plottable = plot.Add.Bars(bars);
        plottable.ValueLabelStyle.FontName = FontName;
        plot.Axes.Bottom.TickGenerator = new NumericManual([.. ticks]);
        plot.Axes.Margins(bottom: 0);
        return plot;
    }

    private static Plot ThroughputChart(CompareMeasurements m) =>
        IoChart(m, "Echo throughput against concurrent connections (1 KiB requests)", "requests per second", p => p.RequestsPerSecond);

    private static Plot IoMemoryChart(CompareMeasurements m) =>
        IoChart(m, "Echo server memory against concurrent connections", "server RSS growth, MiB", p => (p.ServerRssBytes - p.ServerRssIdleBytes) / 1048576.0);

    private static Plot IoChart(CompareMeasurements m, string title, string y, Func<IoPoint, double> value)
    {
        Plot plot = NewPlot(title, "concurrent connections", y);
        int[] connections = [.. m.Io.Select(p => p.Connections).Distinct().Order()];
        foreach (var (mode, label, color) in new[] { ("threads", "a thread per connection", ThreadsColor), ("loop", "one Asyncio.NET loop", TasksColor) })
        {
            var points = m.Io.Where(p => p.Mode == mode).OrderBy(p => p.Connections).ToList();
            var s = plot.Add.ScatterLine(
                points.Select(p => (double)Array.IndexOf(connections, p.Connections)).ToArray(),
                points.Select(value).ToArray(),
                color);
            s.LegendText = label;
            s.LineWidth = 2;
            s.MarkerSize = 8;
            s.MarkerShape = MarkerShape.FilledCircle;
        }

        plot.Axes.Bottom.TickGenerator = new NumericManual(
            [.. connections.Select((c, i) => (double)i)],
            [.. connections.Select(c => c.ToString("N0", System.Globalization.CultureInfo.InvariantCulture))]);
        plot.Axes.SetLimitsY(0, Math.Max(1, m.Io.Max(value)) * 1.15);
        plot.ShowLegend(Alignment.UpperLeft);
        return plot;
    }

    private static Plot CpuChart(CompareMeasurements m)
    {
        CpuResult c = m.Cpu;
        Plot plot = NewPlot($"CPU-bound: the same computation in {c.Pieces} pieces", "", "seconds (lower is better)");
        (string Label, double Seconds, Color Color)[] items =
        [
            ($"{c.Pieces} coroutines\non one loop", c.CoroutinesSeconds, TasksColor),
            ($"{c.Pieces} × Aio.ToThread\nfrom one loop", c.ToThreadSeconds, TasksColor),
            ($"{c.Pieces} OS threads", c.ThreadsSeconds, ThreadsColor),
        ];
        var bars = items.Select((it, i) => new Bar { Position = i, Value = it.Seconds, FillColor = it.Color, Label = $"{it.Seconds:0.00} s" }).ToList();
        var plottable = plot.Add.Bars(bars);
        plottable.ValueLabelStyle.FontName = FontName;
        plot.Axes.Bottom.TickGenerator = new NumericManual([.. items.Select((it, i) => new Tick(i, it.Label, true))]);
        plot.Axes.Margins(bottom: 0);
        return plot;
    }
}
