namespace Asyncio.Cli.Probes;

// What the probes (child processes) print, one JSON object per line, flushed at once: a child that dies part-way
// (running out of threads can abort a .NET process) still leaves its last checkpoint for the parent to read.

/// <summary>A line of a probe: <c>type</c> says which fields are set ("start", "checkpoint", "done").</summary>
internal sealed record ProbeLine
{
    public string Type { get; init; } = "";

    /// <summary>Units (threads, tasks) alive at this checkpoint.</summary>
    public int Units { get; init; }

    /// <summary>Resident memory of the probe (VmRSS).</summary>
    public long RssBytes { get; init; }

    /// <summary>Address space of the probe (VmSize).</summary>
    public long VmSizeBytes { get; init; }

    /// <summary>OS threads of the probe.</summary>
    public int OsThreads { get; init; }

    /// <summary>GC heap after a full collection (task probe).</summary>
    public long GcHeapBytes { get; init; }

    /// <summary>Seconds since the probe started its units.</summary>
    public double Seconds { get; init; }

    /// <summary>Start line: the largest count the probe will try, and why (requested cap or a kernel limit).</summary>
    public int Cap { get; init; }

    public string? CapReason { get; init; }

    /// <summary>Done line: why it stopped ("cap", "memory budget", "time limit", "failure").</summary>
    public string? StopReason { get; init; }

    /// <summary>Done line: the exception that stopped it, if any.</summary>
    public string? Failure { get; init; }

    /// <summary>Done line: seconds to release and finish every unit.</summary>
    public double ReleaseSeconds { get; init; }

    /// <summary>Start line: notes on the limits read (max_map_count, pid_max, stack size).</summary>
    public Dictionary<string, long>? Limits { get; init; }

    /// <summary>Echo server: its port.</summary>
    public int Port { get; init; }
}
