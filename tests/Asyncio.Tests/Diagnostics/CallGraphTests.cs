using System.Runtime.CompilerServices;
using static Asyncio.Tests.LoopRun;

namespace Asyncio.Tests.Diagnostics;

/// <summary>
/// <see cref="AioTask.GetStack"/> (CPython: <c>test_tasks.py</c> <c>test_get_stack</c>) and
/// <see cref="Aio.CaptureCallGraph"/> (CPython 3.14: <c>test_graph.py</c>).
/// </summary>
public sealed class CallGraphTests
{
    private static int Line([CallerLineNumber] int line = 0) => line;

    private static readonly string File = Path.GetFileName(ThisFile());

    private static string ThisFile([CallerFilePath] string path = "") => path;

    private static async Coroutine Inner(Future<int> gate, List<int> lines)
    {
        lines.Add(Line()); await gate;
    }

    private static async Coroutine Outer(Future<int> gate, List<int> lines)
    {
        lines.Add(Line()); await Inner(gate, lines);
    }

    // CPython: test_tasks.py BaseTaskTests.test_get_stack (frames of a suspended task, oldest first)
    [Fact]
    public void GetStack_OfASuspendedTask_ListsItsCoroutinesOldestFirstWithTheAwaitLines()
    {
        using var loop = NewLoop();
        var gate = loop.CreateFuture<int>();
        var lines = new List<int>();
        AioTask task = loop.CreateTask(Outer(gate, lines), name: "outer");
        RunBriefly(loop);

        IReadOnlyList<CoroutineStackFrame> stack = task.GetStack();
        Assert.Collection(stack,
            f => Assert.Equal($"CallGraphTests.Outer in {ThisFile()}:line {lines[0]}", f.ToString()),
            f => Assert.Equal($"CallGraphTests.Inner in {ThisFile()}:line {lines[1]}", f.ToString()));
        Assert.All(stack, f => Assert.False(f.IsRunning));
        Assert.Single(task.GetStack(limit: 1), f => f.Method == "CallGraphTests.Inner");
        Assert.Throws<ArgumentOutOfRangeException>(() => task.GetStack(limit: -1));

        var text = new StringWriter();
        task.PrintStack(text);
        Assert.StartsWith("Stack for <AioTask pending name='outer'", text.ToString());
        Assert.Contains($"   at CallGraphTests.Inner in {ThisFile()}:line {lines[1]}", text.ToString());

        gate.SetResult(1);
        loop.RunUntilComplete(task);
        Assert.Empty(task.GetStack());
    }

    private static async Coroutine<IReadOnlyList<CoroutineStackFrame>> SelfStack(List<int> lines)
    {
        await Aio.Sleep(0);
        lines.Add(Line()); return Aio.CurrentTask!.GetStack();
    }

    private static async Coroutine<IReadOnlyList<CoroutineStackFrame>> CallsSelfStack(List<int> lines)
    {
        lines.Add(Line()); return await SelfStack(lines);
    }

    [Fact]
    public void GetStack_OfTheCurrentTask_ShowsTheRunningLine()
    {
        var lines = new List<int>();
        IReadOnlyList<CoroutineStackFrame> stack = Aio.Run(() => CallsSelfStack(lines), Virtual());
        Assert.Equal(2, stack.Count);
        Assert.Equal($"CallGraphTests.CallsSelfStack in {ThisFile()}:line {lines[0]}", stack[0].ToString());
        Assert.False(stack[0].IsRunning);
        Assert.Equal("CallGraphTests.SelfStack", stack[1].Method);
        Assert.Equal(lines[1], stack[1].Line);
        Assert.True(stack[1].IsRunning);
    }

    private static async Coroutine<int> Leaf(Future<int> gate) => await gate;

    [Fact]
    public void CaptureCallGraph_ThroughAGather_ShowsTheGatherAndTheTaskAwaitingIt()
    {
        string? graph = null;
        Aio.Run(async () =>
        {
            var gate = EventLoop.GetRunningLoop().CreateFuture<int>();
            AioTask<int> a = Aio.CreateTask(Leaf(gate), name: "leaf-a");
            AioTask<int> b = Aio.CreateTask(Leaf(gate), name: "leaf-b");
            AioTask inspector = Aio.CreateTask(async () =>
            {
                await Aio.Sleep(0);
                graph = Aio.CaptureCallGraph(a)!.ToString();
                gate.SetResult(7);
            }, name: "inspector");
            await Aio.Gather(a, b);
            await inspector;
        }, Virtual());

        string[] lines = graph!.Split('\n');
        Assert.Equal("* <AioTask pending name='leaf-a' coro=CallGraphTests.Leaf>", lines[0]);
        Assert.Equal("+ Call stack:", lines[1]);
        Assert.Matches($@"^\|   at CallGraphTests\.Leaf in .*{File}:line \d+$", lines[2]);
        Assert.Equal("+ Awaited by:", lines[3]);
        Assert.StartsWith("   * <GatheringFuture", lines[4]);
        Assert.Equal("   + Awaited by:", lines[5]);
        Assert.StartsWith("      * <AioTask pending name='Task-", lines[6]);
        Assert.Contains("coro=CallGraphTests.CaptureCallGraph_ThroughAGather_ShowsTheGatherAndTheTaskAwaitingIt.<lambda>>", lines[6]);
    }

    private static async Coroutine Sleeper() => await Aio.Sleep(10);

    [Fact]
    public void CaptureCallGraph_OfATaskGroupMember_IsAwaitedByTheGroupsParent()
    {
        FutureCallGraph? graph = null;
        Aio.Run(async () =>
        {
            Aio.CurrentTask!.Name = "main";
            await TaskGroup.RunAsync(async group =>
            {
                AioTask child = group.CreateTask(Sleeper(), name: "child");
                await Aio.Sleep(1);
                graph = Aio.CaptureCallGraph(child);
                child.Cancel();
            });
        }, Virtual());

        Assert.NotNull(graph);
        var parent = Assert.Single(graph!.AwaitedBy);
        Assert.Equal("main", ((AioTask)parent.Future).Name);
        Assert.True(parent.CallStack[0].IsRunning);   // the parent captured the graph: its own frame is running
    }

    [Fact]
    public void CaptureCallGraph_WithoutAFuture_IsTheCurrentTasksOwn_AndNullInAPlainCallback()
    {
        FutureCallGraph? fromTask = Aio.Run(async () =>
        {
            await Aio.Sleep(0);
            return Aio.CaptureCallGraph();
        }, Virtual());
        Assert.NotNull(fromTask);
        Assert.Empty(fromTask!.AwaitedBy);

        using var loop = NewLoop();
        bool ran = false;
        FutureCallGraph? fromCallback = null;
        loop.CallSoon(() =>
        {
            fromCallback = Aio.CaptureCallGraph();
            ran = true;
        });
        RunBriefly(loop);
        Assert.True(ran);
        Assert.Null(fromCallback);
    }

    [Fact]
    public void CaptureCallGraph_BadInput_IsRefused()
    {
        Assert.Throws<InvalidOperationException>(() => Aio.CaptureCallGraph());   // no running loop
        using var other = NewLoop();
        var foreign = other.CreateFuture<int>();
        Aio.Run(async () =>
        {
            var e = Assert.Throws<InvalidOperationException>(() => Aio.CaptureCallGraph(foreign));
            Assert.Contains("another event loop", e.Message);
            Assert.Throws<ArgumentOutOfRangeException>(() => Aio.CaptureCallGraph(limit: -1));
            await Aio.Sleep(0);
        }, Virtual());
    }
}
