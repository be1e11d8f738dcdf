using System.Diagnostics;
using Asyncio.Cli.Infrastructure;
using Asyncio.Cli.Probes;

namespace Asyncio.Cli.Compare.Measurements;

/// <summary>What a probe child printed, and how it ended.</summary>
internal sealed record ProbeOutcome(IReadOnlyList<ProbeLine> Lines, int? ExitCode, bool TimedOut, string Stderr)
{
    public ProbeLine? Start => Lines.FirstOrDefault(l => l.Type == "start");

    public ProbeLine? Done => Lines.LastOrDefault(l => l.Type == "done");

    public IReadOnlyList<ProbeLine> Checkpoints => [.. Lines.Where(l => l.Type == "checkpoint")];
}

/// <summary>Runs <c>aio __probe ...</c> as a child process and collects its JSON lines.</summary>
internal static class ProbeRunner
{
    /// <param name="quickJit">Start with the tiered JIT's quick first tier (faster start-up) where the probe measures
    /// memory, not speed; the tool itself compiles every method optimized at once (TieredCompilationQuickJit=false).</param>
    public static ProbeOutcome Run(Interrupts interrupts, IEnumerable<string> args, TimeSpan timeout, Action<ProbeLine>? onLine = null, bool quickJit = true)
    {
        ProcessStartInfo info = SelfProcess.StartInfo(["__probe", .. args]);
        if (quickJit)
        {
            info.Environment["DOTNET_TC_QuickJit"] = "1";
        }

        Process p = interrupts.Start(info);
        var lines = new List<ProbeLine>();
        var stderr = new System.Text.StringBuilder();
        p.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is not null)
            {
                lock (stderr)
                {
                    stderr.AppendLine(e.Data);
                }
            }
        };
        p.BeginErrorReadLine();
        bool timedOut = false;
        try
        {
            var reader = Task.Run(() =>
            {
                string? line;
                while ((line = p.StandardOutput.ReadLine()) is not null)
                {
                    if (line.StartsWith('{') && Json.Parse<ProbeLine>(line) is { } parsed)
                    {
                        lock (lines)
                        {
                            lines.Add(parsed);
                        }

                        onLine?.Invoke(parsed);
                    }
                }
            });

            int waitMs = (int)Math.Min(int.MaxValue, timeout.TotalMilliseconds);
            if (!reader.Wait(waitMs, interrupts.Token))
            {
                timedOut = true;
            }
        }
        catch (OperationCanceledException)
        {
            interrupts.Stop(p);
            throw;
        }

        int? exitCode = null;
        if (!timedOut && p.WaitForExit(5000))
        {
            exitCode = p.ExitCode;
            if (exitCode is 130 or 143)
            {
                // Ctrl-C in a terminal reaches the whole process group: the child may die of it just before our own
                // handler runs. Give the handler a moment, so the run ends as interrupted, not as a failed probe.
                interrupts.Token.WaitHandle.WaitOne(1000);
            }
        }

        interrupts.Stop(p);
        interrupts.Token.ThrowIfCancellationRequested();
        lock (lines)
        {
            lock (stderr)
            {
                return new ProbeOutcome([.. lines], exitCode, timedOut, stderr.ToString());
            }
        }
    }
}
