using System.CommandLine;

namespace Asyncio.Cli.Probes;

/// <summary>
/// The hidden <c>aio __probe</c> subcommands, run by <c>aio compare</c> and <c>aio bench</c> as child processes:
/// <c>threads</c>, <c>tasks</c>, <c>echo-server</c> and <c>dotnet-bench</c> (the benchmark harness's console mode).
/// </summary>
internal static class ProbeCommand
{
    public static Command Create(Func<TextWriter> stdout, Func<TextWriter> stderr)
    {
        var probe = new Command("__probe", "Internal: measurements run in a child process.") { Hidden = true };

        var cap = new Option<int>("--cap") { DefaultValueFactory = _ => 2_000 };
        var seconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 10 };
        var threads = new Command("threads", "Start blocked OS threads up to --cap, printing memory at checkpoints.") { cap, seconds };
        threads.SetAction(r => ThreadProbe.Run(r.GetValue(cap), r.GetValue(seconds), stdout()));
        probe.Add(threads);

        var taskCap = new Option<int>("--cap") { DefaultValueFactory = _ => 100_000 };
        var budget = new Option<int>("--budget-mb") { DefaultValueFactory = _ => 1024 };
        var taskSeconds = new Option<double>("--seconds") { DefaultValueFactory = _ => 10 };
        var tasks = new Command("tasks", "Create suspended tasks up to --cap within --budget-mb of RSS.") { taskCap, budget, taskSeconds };
        tasks.SetAction(r => TaskProbe.Run(r.GetValue(taskCap), (long)r.GetValue(budget) << 20, r.GetValue(taskSeconds), stdout()));
        probe.Add(tasks);

        var mode = new Option<string>("--mode") { Required = true };
        mode.AcceptOnlyFromAmong("threads", "loop");
        var size = new Option<int>("--size") { DefaultValueFactory = _ => 1024 };
        var echo = new Command("echo-server", "Serve 127.0.0.1 echo until stdin closes.") { mode, size };
        echo.SetAction(r => EchoServerProbe.Run(r.GetValue(mode)!, r.GetValue(size), stdout()));
        probe.Add(echo);

        var benchArgs = new Argument<string[]>("args") { Arity = ArgumentArity.ZeroOrMore };
        var bench = new Command("dotnet-bench", "The benchmark harness's console mode (RESULT lines).") { benchArgs };
        bench.TreatUnmatchedTokensAsErrors = false;
        bench.SetAction(r => Asyncio.Benchmarks.Harness.ConsoleMode.Run([.. r.GetValue(benchArgs) ?? [], .. r.UnmatchedTokens], stdout(), stderr()));
        probe.Add(bench);
        return probe;
    }
}
