using System.CommandLine;
using System.CommandLine.Help;
using Asyncio.Cli.Bench;
using Asyncio.Cli.Compare;
using Asyncio.Cli.Probes;
using Asyncio.Cli.Samples;

namespace Asyncio.Cli;

/// <summary>The <c>aio</c> command line: <c>compare</c>, <c>samples</c>, <c>bench</c>, <c>ps</c>, <c>pstree</c>.</summary>
internal static class AioCli
{
    /// <summary>Runs the command line <paramref name="args"/>, writing to the given writers (the console's by default).</summary>
    public static int Run(string[] args, TextWriter? stdout = null, TextWriter? stderr = null)
    {
        TextWriter output = stdout ?? Console.Out;
        TextWriter error = stderr ?? Console.Error;
        Command root = Build(output, error);
        ParseResult parse = root.Parse(args);
        return parse.Invoke(new InvocationConfiguration
        {
            Output = output,
            Error = error,
            ProcessTerminationTimeout = null,   // Ctrl-C is ours (Interrupts): it must kill child processes first
        });
    }

    private static Command Build(TextWriter stdout, TextWriter stderr)
    {
        // A plain Command named "aio" rather than RootCommand, whose name is the executable's file name (Asyncio.Cli,
        // dotnet, testhost, ...): the help then reads "aio compare" however the tool was started.
        var root = new Command(
            "aio",
            "aio: the Asyncio.NET command line. `aio compare` measures the seed's threads-versus-asyncio table on this machine.")
        {
            new HelpOption(),
            new VersionOption(),
        };

        var quick = new Option<bool>("--quick") { Description = "Smaller sizes and caps: about 15 s on 2 cores (full mode: 1–3 min)." };
        var json = new Option<bool>("--json") { Description = "Print one JSON document with every row and its raw measurements (progress stays on stderr)." };
        var plot = new Option<string?>("--plot") { Description = "Write PNG charts into this directory.", HelpName = "DIR" };
        var compare = new Command("compare", "Measure OS threads against Asyncio.NET tasks, row by row of the seed's comparison table: execution, context switching, race conditions, memory, overhead, max concurrency, blocking calls, CPU-bound and I/O-bound work, debugging.")
        {
            quick, json, plot,
        };
        compare.SetAction(r => CompareCommand.Run(r.GetValue(quick), r.GetValue(json), r.GetValue(plot), stdout, stderr));
        root.Add(compare);

        var name = new Argument<string?>("name") { Arity = ArgumentArity.ZeroOrOne, Description = "The sample to run (see --list)." };
        var list = new Option<bool>("--list", "-l") { Description = "List the samples with the question each answers." };
        var virtualTime = new Option<bool>("--virtual") { Description = "Run in virtual time: sleeps take no real time." };
        var samples = new Command("samples", "Run an example of the seed notes by name, or list them.") { name, list, virtualTime };
        samples.SetAction(r => SamplesCommand.Run(r.GetValue(name), r.GetValue(list), r.GetValue(virtualTime), stdout, stderr));
        root.Add(samples);

        root.Add(BenchCommand.Create(stdout, stderr));

        root.Add(InspectCommand.Create("ps", "List the tasks of a running Asyncio.NET process (started with ASYNCIO_INSPECT=1): name, state, age, where each is suspended, what it awaits, who awaits it.", tree: false, stdout, stderr));
        root.Add(InspectCommand.Create("pstree", "Show who awaits whom in a running Asyncio.NET process (started with ASYNCIO_INSPECT=1), as a tree of tasks and their coroutines.", tree: true, stdout, stderr));

        root.Add(ProbeCommand.Create(() => stdout, () => stderr));
        return root;
    }
}
