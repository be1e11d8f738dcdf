using System.Diagnostics;

namespace Asyncio.Tests.Diagnostics;

/// <summary><c>aio ps</c>/<c>aio pstree</c> against a real child process (Asyncio.TestHost inspect) with known tasks.</summary>
public sealed class InspectionTests
{
    private static Process StartHost(params string[] args) => TestHostProcess.Start(args);

    private static void ExpectReady(Process p) => TestHostProcess.ExpectLine(p, "ready");

    [Fact]
    public void Ps_OfAChildWithKnownTasks_ListsThemAndWhoAwaitsWhom()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;   // inspection needs SO_PEERCRED
        }

        using Process p = StartHost("inspect");
        try
        {
            ExpectReady(p);
            ProcessSnapshot snapshot = ProcessInspector.Query(p.Id, TimeSpan.FromSeconds(30));

            Assert.Equal(p.Id, snapshot.ProcessId);
            LoopSnapshot loop = Assert.Single(snapshot.Loops);
            Assert.True(loop.Responsive);
            Assert.Equal(["leaf-1", "leaf-2", "main", "worker-a", "worker-b"], loop.Tasks.Select(t => t.Name).Order(StringComparer.Ordinal));
            TaskSnapshot Task(string name) => loop.Tasks.Single(t => t.Name == name);
            Assert.Equal([Task("main").Id], Task("worker-a").AwaitedBy);
            Assert.Equal([Task("main").Id], Task("worker-b").AwaitedBy);
            Assert.Equal([Task("worker-a").Id], Task("leaf-1").AwaitedBy);
            Assert.Empty(Task("main").AwaitedBy);
            Assert.Equal("waits in AsyncQueue.GetAsync (1 waiting)", Task("worker-b").Awaits);
            Assert.Equal("sleeps until cancelled", Task("leaf-1").Awaits);
            Assert.StartsWith("Program.WorkerB in ", Task("worker-b").Stack[0]);   // the queue's wait parks the task itself, no frame of its own
            Assert.Contains("Program.cs:line ", Task("worker-b").Stack[0]);

            string tree = SnapshotFormatter.FormatTree(snapshot);
            string[] lines = tree.Split('\n');
            Assert.Matches($@"^Process {p.Id}, loop 0 \(thread \d+\), t=\d+\.\d{{3}}, 5 tasks$", lines[0]);
            Assert.Equal("└── (T) main", lines[1]);
            int workerA = Array.FindIndex(lines, l => l.TrimStart(' ', '│', '├', '└', '─').StartsWith("(T) worker-a", StringComparison.Ordinal));
            int leaf1 = Array.FindIndex(lines, l => l.Contains("(T) leaf-1", StringComparison.Ordinal));
            int workerB = Array.FindIndex(lines, l => l.Contains("(T) worker-b", StringComparison.Ordinal));
            Assert.True(workerA > 1 && leaf1 > workerA && workerB > leaf1, tree);
            Assert.True(Indent(lines[leaf1]) > Indent(lines[workerA]), tree);
            Assert.Equal(Indent(lines[workerA]), Indent(lines[workerB]));
            Assert.Contains(lines, l => l.Contains("TaskGroup.RunAsync in ", StringComparison.Ordinal));

            string table = SnapshotFormatter.FormatTable(snapshot);
            Assert.Matches(@"(?m)^ID\s+NAME\s+STATE\s+AGE\s+COROUTINE\s+AWAITS\s+AWAITED BY$", table);
            Assert.Matches(@"(?m)^[0-9a-f]{8}\s+worker-b\s+pending\s+\d+\.\ds\s+Program\.WorkerB in .*\s+waits in AsyncQueue\.GetAsync \(1 waiting\)\s+main$", table);
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
    }

    private static int Indent(string line) => line.TakeWhile(c => c is ' ' or '│' or '├' or '└' or '─').Count();

    [Fact]
    public void Ps_OfAStalledChild_AnswersFromOutsideAndSaysWhatBlocks()
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        using Process p = StartHost("inspect", "--stall");
        try
        {
            ExpectReady(p);
            ProcessSnapshot snapshot = ProcessInspector.Query(p.Id, TimeSpan.FromSeconds(30));
            while (snapshot.Loops.Single().Responsive)
            {
                snapshot = ProcessInspector.Query(p.Id, TimeSpan.FromSeconds(30));   // the blocking callback is queued: ask until it runs
            }

            LoopSnapshot loop = snapshot.Loops.Single();
            Assert.Equal("<Handle Program.BlockTheLoop()>", loop.Running);
            Assert.Contains(loop.Tasks, t => t.Name == "worker-b");
            Assert.Contains("The loop did not answer: it is stalled in <Handle", SnapshotFormatter.FormatTable(snapshot));
        }
        finally
        {
            p.Kill(entireProcessTree: true);
            p.WaitForExit();
        }
    }

    [Fact]
    public void Query_BadInput_IsRefusedWithAClearMessage()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessInspector.Query(0));
        Assert.Throws<ArgumentOutOfRangeException>(() => ProcessInspector.Query(Environment.ProcessId, TimeSpan.Zero));
        var none = Assert.Throws<ArgumentException>(() => ProcessInspector.Query(int.MaxValue));
        Assert.Contains($"no process with id {int.MaxValue}", none.Message);
        if (OperatingSystem.IsLinux() && !File.Exists($"{Path.GetTempPath()}asyncio-inspect-{Environment.ProcessId}.sock"))
        {
            var off = Assert.Throws<InvalidOperationException>(() => ProcessInspector.Query(Environment.ProcessId));
            Assert.Contains("does not accept inspection: start it with ASYNCIO_INSPECT=1", off.Message);
        }
    }

    [Fact]
    public void Formatter_NullSnapshot_IsRefused()
    {
        Assert.Throws<ArgumentNullException>(() => SnapshotFormatter.FormatTable(null!));
        Assert.Throws<ArgumentNullException>(() => SnapshotFormatter.FormatTree(null!));
    }
}
