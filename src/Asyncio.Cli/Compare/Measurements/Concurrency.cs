using Asyncio.Cli.Infrastructure;
using Asyncio.Cli.Probes;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>The probe's process at one count of live units.</summary>
internal sealed record ConcurrencyPoint(int Units, long RssBytes, long VmSizeBytes, int OsThreads, long GcHeapBytes, double Seconds);

/// <summary>
/// What a probe child found: how far it got (<paramref name="Reached"/> of <paramref name="Cap"/>), why it stopped,
/// memory at each checkpoint, and the cost per unit from the baseline to the last checkpoint.
/// </summary>
internal sealed record ConcurrencyResult(
    string Runtime,
    int RequestedCap,
    int Cap,
    string? CapReason,
    int Reached,
    string StopReason,
    string? Failure,
    int? ExitCode,
    bool Crashed,
    IReadOnlyDictionary<string, long>? Limits,
    ConcurrencyPoint Baseline,
    IReadOnlyList<ConcurrencyPoint> Checkpoints,
    double RssBytesPerUnit,
    double VmSizeBytesPerUnit,
    double GcHeapBytesPerUnit,
    double OsThreadsPerUnit,
    double ReleaseSeconds);

/// <summary>Runs the thread and task probes in child processes.</summary>
internal static class Concurrency
{
    public static ConcurrencyResult Threads(CompareSettings s, Interrupts interrupts, Action<string> progress)
    {
        ProbeOutcome o = ProbeRunner.Run(
            interrupts,
            ["threads", "--cap", s.ThreadCap.ToString(Inv), "--seconds", s.ThreadProbeSeconds.ToString(Inv)],
            TimeSpan.FromSeconds(s.ThreadProbeSeconds + 30),
            line =>
            {
                if (line.Type == "checkpoint")
                {
                    progress($"{line.Units:N0} threads blocked, RSS {line.RssBytes / 1048576.0:N0} MiB");
                }
            });
        return Summarize("threads", s.ThreadCap, o);
    }

    public static ConcurrencyResult Tasks(CompareSettings s, Interrupts interrupts, Action<string> progress)
    {
        ProbeOutcome o = ProbeRunner.Run(
            interrupts,
            ["tasks", "--cap", s.TaskCap.ToString(Inv), "--budget-mb", (s.TaskBudgetBytes >> 20).ToString(Inv), "--seconds", s.TaskProbeSeconds.ToString(Inv)],
            TimeSpan.FromSeconds(s.TaskProbeSeconds + 30),
            line =>
            {
                if (line.Type == "checkpoint")
                {
                    progress($"{line.Units:N0} tasks suspended, RSS {line.RssBytes / 1048576.0:N0} MiB");
                }
            });
        return Summarize("tasks", s.TaskCap, o);
    }

    private static readonly System.Globalization.CultureInfo Inv = System.Globalization.CultureInfo.InvariantCulture;

    private static ConcurrencyResult Summarize(string runtime, int requestedCap, ProbeOutcome o)
    {
        ProbeLine start = o.Start ?? throw new InvalidOperationException(
            $"The {runtime} probe (a child process) printed nothing; exit code {o.ExitCode?.ToString(Inv) ?? "none"}. Its stderr:{Environment.NewLine}{o.Stderr}");
        var baseline = new ConcurrencyPoint(0, start.RssBytes, start.VmSizeBytes, start.OsThreads, start.GcHeapBytes, 0);
        var points = o.Checkpoints.Select(c => new ConcurrencyPoint(c.Units, c.RssBytes, c.VmSizeBytes, c.OsThreads, c.GcHeapBytes, c.Seconds)).ToList();
        ConcurrencyPoint last = points.Count > 0 ? points[^1] : baseline;
        ProbeLine? done = o.Done;
        bool crashed = done is null;
        string stopReason = done?.StopReason ?? (o.TimedOut ? "timed out" : "the process died");
        double Per(Func<ConcurrencyPoint, double> f) => last.Units == 0 ? double.NaN : (f(last) - f(baseline)) / last.Units;
        return new ConcurrencyResult(
            runtime,
            requestedCap,
            start.Cap,
            start.CapReason,
            last.Units,
            stopReason,
            done?.Failure ?? (crashed ? $"exit code {o.ExitCode?.ToString(Inv) ?? "none"}: {o.Stderr.Trim()}" : null),
            o.ExitCode,
            crashed,
            start.Limits,
            baseline,
            points,
            Per(p => p.RssBytes),
            Per(p => p.VmSizeBytes),
            Per(p => p.GcHeapBytes),
            Per(p => p.OsThreads),
            done?.ReleaseSeconds ?? double.NaN);
    }
}
