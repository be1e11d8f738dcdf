using System.CommandLine;
using System.Diagnostics;
using System.Text.Json;
using Asyncio.Cli.Infrastructure;

namespace Asyncio.Cli.Bench;

/// <summary>
/// <c>aio bench [--quick] [--workloads LIST] [--reps N] [--json]</c>: the benchmark workloads on our loop, on .NET's
/// thread pool and Nito's AsyncContext (the benchmark harness, run as a child process), and on every peer found on
/// this machine (CPython asyncio, uvloop, Node), then one table of ratios from that run.
/// </summary>
internal static class BenchCommand
{
    public static readonly string[] AllWorkloads = ["callsoon", "callsoon_chain", "pingpong", "yield", "spawn"];

    /// <summary>Tasks of spawn on every runtime (CPython needs ~20 s for the harness's usual million).</summary>
    public static int SpawnTasks(bool quick) => quick ? 20_000 : 200_000;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var quick = new Option<bool>("--quick") { Description = "Sizes divided by 20, spawn with 20,000 tasks sleeping 0.1 s, 3 repetitions." };
        var workloads = new Option<string>("--workloads")
        {
            Description = $"Comma-separated workloads (default: all): {string.Join(", ", AllWorkloads)}.",
            DefaultValueFactory = _ => string.Join(',', AllWorkloads),
        };
        var reps = new Option<int?>("--reps") { Description = "Repetitions per figure (default 3 with --quick, else 5)." };
        var json = new Option<bool>("--json") { Description = "Print the figures as one JSON document." };
        var bench = new Command("bench", "Run the benchmark workloads on our loop and on every peer found on this machine (.NET thread pool, Nito AsyncContext, CPython asyncio, uvloop, Node) and print one table of ratios.")
        {
            quick, workloads, reps, json,
        };
        bench.SetAction(r => Run(r.GetValue(quick), r.GetValue(workloads)!, r.GetValue(reps), r.GetValue(json), stdout, stderr));
        return bench;
    }

    public static int Run(bool quick, string workloadList, int? reps, bool json, TextWriter stdout, TextWriter stderr)
    {
        string[] workloads = [.. workloadList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];
        string? unknown = workloads.FirstOrDefault(w => !AllWorkloads.Contains(w));
        if (unknown is not null || workloads.Length == 0)
        {
            stderr.WriteLine($"aio bench: unknown workload '{unknown}'. Valid workloads: {string.Join(", ", AllWorkloads)}.");
            return 2;
        }

        int repetitions = reps ?? (quick ? 3 : 5);
        if (repetitions is < 1 or > 100)
        {
            stderr.WriteLine("aio bench: --reps must be between 1 and 100.");
            return 2;
        }

        ProgressReporter progress = ProgressReporter.For(stderr);
        using Interrupts interrupts = Interrupts.Install();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<PeerRuntime> peers = Peers.Discover();
        var figures = new List<BenchFigure>();
        var failures = new List<string>();
        try
        {
            progress.Run($"aio bench{(quick ? " --quick" : "")}: {string.Join(", ", workloads)}; {repetitions} repetitions", () =>
            {
                foreach (PeerRuntime p in peers.Where(p => !p.Found))
                {
                    progress.Warn($"{p.Label}: not measured, {p.Missing}. Install: {p.InstallHint}");
                }

                figures.AddRange(RunDotnet(workloads, quick, repetitions, interrupts, progress, failures));
                foreach (PeerRuntime p in peers.Where(p => p.Found))
                {
                    figures.AddRange(RunPeer(p, workloads, quick, repetitions, interrupts, progress, failures));
                }

                return 0;
            });
        }
        catch (Exception) when (interrupts.Interrupted)   // cancellation, KeyboardInterruptException, or a killed child's broken pipe
        {
            stderr.WriteLine("aio bench: interrupted; child processes were stopped.");
            return 130;
        }

        var report = new BenchReport(quick ? "quick" : "full", repetitions, clock.Elapsed.TotalSeconds, workloads, peers, figures, failures);
        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(report, Json.Indented));
        }
        else
        {
            BenchTable.Write(report, stdout);
        }

        return failures.Count > 0 ? 1 : 0;
    }

    private static IEnumerable<BenchFigure> RunDotnet(string[] workloads, bool quick, int reps, Interrupts interrupts, ProgressReporter progress, List<string> failures)
    {
        // The harness takes one workload per run; "callsoon" also runs callsoon_chain.
        var runs = new List<string>();
        foreach (string w in workloads)
        {
            if (w == "callsoon_chain" && workloads.Contains("callsoon"))
            {
                continue;
            }

            runs.Add(w);
        }

        var figures = new List<BenchFigure>();
        foreach (string w in runs)
        {
            progress.Step($"Asyncio.NET, thread pool, AsyncContext: {w}");
            List<string> args =
            [
                "__probe", "dotnet-bench", w, "--reps", reps.ToString(System.Globalization.CultureInfo.InvariantCulture),
                "--tasks", SpawnTasks(quick).ToString(System.Globalization.CultureInfo.InvariantCulture),
            ];
            if (quick)
            {
                args.Add("--quick");
            }

            ProcessStartInfo info = SelfProcess.StartInfo(args);
            // The harness is tuned for the default tiered JIT (it warms up across tiering gaps), unlike this tool's
            // optimize-at-once setting: give it the defaults of its own project.
            info.Environment["DOTNET_TC_QuickJit"] = "1";
            figures.AddRange(RunChild(info, $".NET harness ({w})", quick ? 600 : 1800, interrupts, progress, failures)
                .Where(f => !(w == "callsoon" && f.Workload == "callsoon_chain" && !workloads.Contains("callsoon_chain"))));
        }

        return figures;
    }

    private static IEnumerable<BenchFigure> RunPeer(PeerRuntime peer, string[] workloads, bool quick, int reps, Interrupts interrupts, ProgressReporter progress, List<string> failures)
    {
        progress.Step($"{peer.Label} ({peer.Version})");
        var info = new ProcessStartInfo(peer.Executable!)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (string a in peer.Arguments)
        {
            info.ArgumentList.Add(a);
        }

        info.ArgumentList.Add("--workloads");
        info.ArgumentList.Add(string.Join(',', workloads));
        info.ArgumentList.Add("--reps");
        info.ArgumentList.Add(reps.ToString(System.Globalization.CultureInfo.InvariantCulture));
        info.ArgumentList.Add("--spawn-tasks");
        info.ArgumentList.Add(SpawnTasks(quick).ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (quick)
        {
            info.ArgumentList.Add("--quick");
        }

        return RunChild(info, peer.Label, quick ? 600 : 1800, interrupts, progress, failures);
    }

    private static IReadOnlyList<BenchFigure> RunChild(ProcessStartInfo info, string what, double timeoutSeconds, Interrupts interrupts, ProgressReporter progress, List<string> failures)
    {
        Process p = interrupts.Start(info);
        var lines = new List<string>();
        var errors = new List<string>();
        try
        {
            p.StandardInput.Close();
            p.ErrorDataReceived += (_, e) =>
            {
                if (e.Data is { } line)
                {
                    lock (errors)
                    {
                        errors.Add(line);
                    }

                    if (line.StartsWith("#   rep", StringComparison.Ordinal) || line.StartsWith("# ERROR", StringComparison.Ordinal))
                    {
                        progress.Step($"{what}: {line.TrimStart('#', ' ')}");
                    }
                }
            };
            p.BeginErrorReadLine();
            var reader = Task.Run(() =>
            {
                string? line;
                while ((line = p.StandardOutput.ReadLine()) is not null)
                {
                    lock (lines)
                    {
                        lines.Add(line);
                    }
                }
            });
            if (!reader.Wait(TimeSpan.FromSeconds(timeoutSeconds), interrupts.Token))
            {
                failures.Add($"{what}: no result within {timeoutSeconds:0} s; stopped.");
            }
            else if (p.WaitForExit(10_000) && p.ExitCode != 0)
            {
                lock (errors)
                {
                    failures.Add($"{what}: exit code {p.ExitCode}. {string.Join(" ", errors.Where(e => e.Contains("ERROR", StringComparison.Ordinal) || e.Contains("rror", StringComparison.Ordinal)).Take(3))}");
                }
            }
        }
        finally
        {
            interrupts.Stop(p);
        }

        interrupts.Token.ThrowIfCancellationRequested();
        lock (lines)
        {
            IReadOnlyList<BenchFigure> figures = ResultLines.Parse(lines);
            progress.Done($"{what}: {figures.Count} figures");
            return figures;
        }
    }
}

/// <summary>What <c>aio bench</c> measured, and which peers it could not.</summary>
internal sealed record BenchReport(
    string Mode,
    int Repetitions,
    double DurationSeconds,
    IReadOnlyList<string> Workloads,
    IReadOnlyList<PeerRuntime> Peers,
    IReadOnlyList<BenchFigure> Figures,
    IReadOnlyList<string> Failures);
