namespace Asyncio.Benchmarks.Harness;

/// <summary>A console-mode workload: the cases it measures (all runtimes), the figures it reports, our targets.</summary>
internal interface IWorkload
{
    /// <summary>The command-line name.</summary>
    string Name { get; }

    /// <summary>One line for the usage text.</summary>
    string Summary { get; }

    /// <summary>Figures reported, in order; the first is the one that picks the better variant of a peer.</summary>
    IReadOnlyList<Metric> Metrics { get; }

    /// <summary>Goals for our loop (the figures are compared with them in the table).</summary>
    IReadOnlyList<Target> Targets { get; }

    /// <summary>Whether the warm-up before the first repetition may include one full-size run (false for heavy workloads).</summary>
    bool FullSizeFirstWarmUp => true;

    /// <summary>Default repetitions when <c>--reps</c> is not given.</summary>
    int DefaultReps => 5;

    /// <summary>What one repetition measures, in order: asyncio first, then the peers.</summary>
    IReadOnlyList<Case> Cases(Options options);

    /// <summary>Lines saying what the figures are (sizes, variants, caveats), printed with the results.</summary>
    IEnumerable<string> Notes(Options options);
}
