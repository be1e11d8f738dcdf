using System.Text.Json.Nodes;
using Asyncio.Cli.Compare.Measurements;

namespace Asyncio.Cli.Compare;

/// <summary>Every raw measurement of one <c>aio compare</c> run.</summary>
internal sealed record CompareMeasurements(
    ExecutionResult Execution,
    ConcurrencyResult Threads,
    ConcurrencyResult Tasks,
    IReadOnlyList<SwitchResult> Switches,
    RaceResult Races,
    OverheadResult Overhead,
    BlockingResult Blocking,
    CpuResult Cpu,
    IReadOnlyList<IoPoint> Io,
    VirtualTimeResult VirtualTime);

/// <summary>The seed's claim for one row of its table.</summary>
internal sealed record SeedClaim(string Threading, string Asyncio);

/// <summary>
/// One row of the comparison: the seed's claim, what was measured for OS threads and for Asyncio.NET tasks, and a
/// verdict computed from the numbers. <paramref name="Basis"/>: "measured", or "measured + qualitative" when part of
/// the verdict is a note no number decides. <paramref name="Measurements"/> holds the row's key numbers.
/// </summary>
internal sealed record CompareRow(
    string Key,
    string Feature,
    SeedClaim Seed,
    string Threads,
    string Tasks,
    string Verdict,
    string Winner,
    string Basis,
    JsonObject Measurements);

/// <summary>Where and how the comparison ran; <paramref name="LoadAverage"/> is the 1-minute load when it started (-1 unknown).</summary>
internal sealed record MachineInfo(int Cores, string Os, string Runtime, string Build, string ProcessorArchitecture, string? CpuModel, double LoadAverage)
{
    /// <summary>More runnable threads than cores when the run started: timings are stretched and noisy.</summary>
    public bool Busy => LoadAverage > Cores;
}

/// <summary>The document <c>aio compare --json</c> prints.</summary>
internal sealed record CompareReport(
    string Tool,
    string Mode,
    DateTime StartedUtc,
    double DurationSeconds,
    MachineInfo Machine,
    IReadOnlyList<CompareRow> Rows,
    CompareMeasurements Raw,
    IReadOnlyList<string> Charts);
