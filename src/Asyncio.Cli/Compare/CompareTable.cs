using Spectre.Console;
using static Asyncio.Cli.Infrastructure.Units;

namespace Asyncio.Cli.Compare;

/// <summary>Prints the comparison: a Markdown table (pipes, files, tests) or a Spectre.Console table in a terminal.</summary>
internal static class CompareTable
{
    private static readonly string[] Header =
        ["Feature", "Seed: threading", "Seed: asyncio", "Measured: OS threads (.NET)", "Measured: Asyncio.NET tasks", "Verdict"];

    public static string Title(CompareReport r) =>
        Format($"aio compare{(r.Mode == "quick" ? " --quick" : "")}: {r.Machine.Cores} cores{(r.Machine.CpuModel is { } cpu ? $" ({cpu})" : "")}, {r.Machine.Os}, {r.Machine.Runtime}, {r.Machine.Build} build; measured in {r.DurationSeconds:0.0} s on {r.StartedUtc:yyyy-MM-dd HH:mm} UTC") +
        (r.Machine.LoadAverage >= 0 ? Format($"; load average {r.Machine.LoadAverage:0.##} at the start") : "") +
        (r.Machine.Busy ? " (a busy machine: wall-clock timings are stretched and noisy; CPU times and memory are not)" : "");

    public static void WriteMarkdown(CompareReport r, TextWriter o)
    {
        o.WriteLine(Title(r));
        o.WriteLine();
        o.WriteLine("| " + string.Join(" | ", Header) + " |");
        o.WriteLine("|" + string.Concat(Enumerable.Repeat("---|", Header.Length)));
        foreach (CompareRow row in r.Rows)
        {
            string[] cells = [row.Feature, row.Seed.Threading, row.Seed.Asyncio, row.Threads, row.Tasks, row.Verdict];
            o.WriteLine("| " + string.Join(" | ", cells.Select(c => c.Replace("|", "\\|", StringComparison.Ordinal))) + " |");
        }

        Footer(r, o);
    }

    public static void WriteTerminal(CompareReport r, TextWriter o)
    {
        IAnsiConsole console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(o) });
        console.MarkupLine($"[bold]{Markup.Escape(Title(r))}[/]");
        var table = new Table().Border(TableBorder.Rounded).Expand();
        foreach (string h in Header)
        {
            table.AddColumn(new TableColumn($"[bold]{Markup.Escape(h)}[/]"));
        }

        foreach (CompareRow row in r.Rows)
        {
            string colour = row.Winner switch
            {
                "tasks" => "green",
                "threads" => "blue",
                _ => "default",
            };
            table.AddRow(
                new Markup($"[bold]{Markup.Escape(row.Feature)}[/]"),
                new Markup($"[grey]{Markup.Escape(row.Seed.Threading)}[/]"),
                new Markup($"[grey]{Markup.Escape(row.Seed.Asyncio)}[/]"),
                new Markup(Markup.Escape(row.Threads)),
                new Markup(Markup.Escape(row.Tasks)),
                new Markup($"[{colour}]{Markup.Escape(row.Verdict)}[/]"));
        }

        console.Write(table);
        Footer(r, o);
    }

    private static void Footer(CompareReport r, TextWriter o)
    {
        o.WriteLine();
        o.WriteLine("Threads and tasks were measured on this machine in this run; memory and maximum concurrency in child processes,");
        o.WriteLine("I/O against an echo server child (its RSS and CPU from /proc). `aio compare --json` has every raw number.");
        if (r.Charts.Count > 0)
        {
            o.WriteLine("Charts: " + string.Join(", ", r.Charts));
        }
    }
}
