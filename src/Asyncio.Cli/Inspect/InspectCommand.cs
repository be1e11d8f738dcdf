using System.CommandLine;
using System.Text.Json;

namespace Asyncio.Cli;

/// <summary><c>aio ps PID</c> and <c>aio pstree PID</c>: the tasks of another process, through <see cref="ProcessInspector"/>.</summary>
internal static class InspectCommand
{
    public static Command Create(string name, string description, bool tree, TextWriter stdout, TextWriter stderr)
    {
        var pid = new Argument<int>("pid") { Description = "The process id." };
        var json = new Option<bool>("--json") { Description = "Print the snapshot as JSON instead of text." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds to wait for the answer.", DefaultValueFactory = _ => 5.0, HelpName = "S" };
        var command = new Command(name, description) { pid, json, timeout };
        command.SetAction(r => Run(name, r.GetValue(pid), tree, r.GetValue(json), r.GetValue(timeout), stdout, stderr));
        return command;
    }

    private static int Run(string name, int pid, bool tree, bool json, double timeoutSeconds, TextWriter stdout, TextWriter stderr)
    {
        if (!(timeoutSeconds > 0) || double.IsInfinity(timeoutSeconds))
        {
            stderr.WriteLine($"aio {name}: --timeout must be a positive number of seconds, not {timeoutSeconds}.");
            return 2;
        }

        ProcessSnapshot snapshot;
        try
        {
            snapshot = ProcessInspector.Query(pid, TimeSpan.FromSeconds(timeoutSeconds));
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or PlatformNotSupportedException)
        {
            stderr.WriteLine($"aio {name}: {e.Message}");
            return 1;
        }

        if (json)
        {
            stdout.WriteLine(JsonSerializer.Serialize(snapshot, new JsonSerializerOptions { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.CamelCase }));
        }
        else if (snapshot.Loops.Count == 0)
        {
            stdout.WriteLine($"Process {pid} has no open event loop with inspection enabled.");
        }
        else
        {
            stdout.WriteLine(tree ? SnapshotFormatter.FormatTree(snapshot) : SnapshotFormatter.FormatTable(snapshot));
        }

        return 0;
    }
}
