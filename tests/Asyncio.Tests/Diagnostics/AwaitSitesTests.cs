using System.Reflection;
using System.Runtime.CompilerServices;
using Asyncio.Tests.Tasks;

namespace Asyncio.Tests.Diagnostics;

/// <summary>
/// <see cref="AwaitSites"/>: a suspended async method's state machine type and state resolve to the line of the await
/// it waits at. The awaits below carry a marker comment "@site:name"; <see cref="LineOf"/> finds that line in this
/// file's text, so the expectations move with the code. Every machine is parked on a gate (a TaskCompletionSource or
/// Future) that only the test completes; continuations run inline (ConfigureAwait(false)), so nothing here waits.
/// </summary>
public sealed class AwaitSitesTests
{
    // ------------------------------------------------------------------ methods under test (marker lines matter)

    private static async Task ThreeAwaits(Gates g)
    {
        await g.Next().ConfigureAwait(false); // @site:three-0
        await g.Next().ConfigureAwait(false); // @site:three-1
        await g.Next().ConfigureAwait(false); // @site:three-2
    }

    private static async Task TryCatchFinallyLoop(Gates g, int rounds)
    {
        try
        {
            await g.Next().ConfigureAwait(false); // @site:try-body
        }
        finally
        {
            await g.Next().ConfigureAwait(false); // @site:finally
        }

        for (int i = 0; i < rounds; i++)
        {
            await g.Next().ConfigureAwait(false); // @site:loop
        }

        try
        {
            g.Throw();
        }
        catch (InvalidOperationException)
        {
            await g.Next().ConfigureAwait(false); // @site:catch
        }
    }

    private static async Task ForeachAndUsing(Gates g)
    {
        await using (var resource = new GatedDisposable(g))
        {
            await foreach (int item in Items(g).ConfigureAwait(false)) // @site:foreach
            {
                await g.Next().ConfigureAwait(false); // @site:foreach-body
            }
        } // @site:using-end
    }

    private static async IAsyncEnumerable<int> Items(Gates g)
    {
        await g.Next().ConfigureAwait(false); // @site:iterator-0
        yield return 1;
        await g.Next().ConfigureAwait(false); // @site:iterator-1
        yield return 2;
    }

    private static async Task<T> Echo<T>(T value, Gates g)
    {
        await g.Next().ConfigureAwait(false); // @site:generic
        return value;
    }

    private static async Task Entry(Gates g)
    { // @site:entry-brace
        g.Touch(); // @site:entry-first
        await g.Next().ConfigureAwait(false);
    }

    private static async Coroutine CoroutineWorker(Future<int> f)
    {
        await f; // @site:coroutine
    }

    // ------------------------------------------------------------------ tests

    // Asyncio.NET diagnostics (no CPython counterpart: Python frames carry f_lineno themselves)
    [Fact]
    public void Locate_SeveralAwaits_EachStateIsItsAwaitsLine()
    {
        var g = new Gates();
        Task t = ThreeAwaits(g);
        for (int i = 0; i < 3; i++)
        {
            SourceSite site = Suspended(t, out int state);
            Assert.Equal(i, state);
            AssertAt(site, "three-" + i);
            Assert.Equal("AwaitSitesTests.ThreeAwaits", site.Method);
            g.Release();
        }

        Assert.True(t.IsCompletedSuccessfully);
    }

    [Fact]
    public void Locate_AwaitsInTryFinallyLoopAndCatch_EachStateIsItsAwaitsLine()
    {
        var g = new Gates();
        Task t = TryCatchFinallyLoop(g, rounds: 2);
        foreach (string name in new[] { "try-body", "finally", "loop", "loop", "catch" })
        {
            AssertAt(Suspended(t, out _), name);
            g.Release();
        }

        Assert.True(t.IsCompletedSuccessfully);
    }

    [Fact]
    public void Locate_AwaitForeachAndAwaitUsing_BodyAwaitAndEnumeratorMoveNext()
    {
        var g = new Gates();
        Task t = ForeachAndUsing(g);

        // The iterator waits inside its first MoveNextAsync; the foreach waits on that, at the "await foreach" line.
        AssertAt(Suspended(t, out _), "foreach");
        g.Release();                                    // iterator-0 -> yields 1
        AssertAt(Suspended(t, out _), "foreach-body");
        g.Release();
        AssertAt(Suspended(t, out _), "foreach");       // waiting for item 2 (iterator-1)
        g.Release();
        AssertAt(Suspended(t, out _), "foreach-body");
        g.Release();

        // await using: the compiler's own await of DisposeAsync has only hidden sequence points, so it maps to the
        // visible one before it: the using block's closing brace in Debug builds, the await foreach line in Release.
        SourceSite dispose = Suspended(t, out _);
        Assert.Equal("AwaitSitesTests.ForeachAndUsing", dispose.Method);
        Assert.InRange(dispose.Line, LineOf("foreach"), LineOf("using-end"));
        g.Release();
        Assert.True(t.IsCompletedSuccessfully);
    }

    // Async iterators number their awaits 0, 1, ... like async methods and their yield returns -4, -5, ... (Roslyn's
    // resumable async-iterator states), so a machine parked at a yield return has no await to show.
    [Fact]
    public void Locate_AsyncIterator_AwaitsMap_YieldReturnsGiveTheMethodOnly()
    {
        var g = new Gates();
        IAsyncEnumerator<int> e = Items(g).GetAsyncEnumerator();
        Type machine = e.GetType();
        ValueTask<bool> first = e.MoveNextAsync();
        AssertAt(AwaitSites.Locate(machine, State(e))!.Value, "iterator-0");
        g.Release();
        Assert.True(Finished(first));

        int atYield = State(e);
        Assert.True(atYield <= -3, $"state {atYield} at a yield return");
        Assert.Equal(new SourceSite("AwaitSitesTests.Items", null, 0, 0), AwaitSites.Locate(machine, atYield));

        ValueTask<bool> second = e.MoveNextAsync();
        AssertAt(AwaitSites.Locate(machine, State(e))!.Value, "iterator-1");
        g.Release();
        Assert.True(Finished(second));

        static int State(object machine) => AwaitSites.ReadState(machine) ?? throw new InvalidOperationException("no state field");
    }

    [Fact]
    public void Locate_Lambda_NamedAfterTheEnclosingMethod()
    {
        var g = new Gates();
        Func<Task> lambda = async () =>
        {
            await g.Next().ConfigureAwait(false); // @site:lambda
        };
        Task t = lambda();
        SourceSite site = Suspended(t, out int state);
        Assert.Equal(0, state);
        AssertAt(site, "lambda");
        Assert.Equal("AwaitSitesTests.Locate_Lambda_NamedAfterTheEnclosingMethod.<lambda>", site.Method);
        g.Release();
    }

    [Fact]
    public void Locate_LocalFunction_NamedAfterTheLocalFunction()
    {
        var g = new Gates();
        async Task LocalWorker()
        {
            await g.Next().ConfigureAwait(false); // @site:local
        }

        Task t = LocalWorker();
        SourceSite site = Suspended(t, out _);
        AssertAt(site, "local");
        Assert.Equal("AwaitSitesTests.LocalWorker", site.Method);
        g.Release();
    }

    [Fact]
    public void Locate_GenericMethod_ResolvesThroughTheConstructedType()
    {
        var g = new Gates();
        Task<string> t = Echo("x", g);
        SourceSite site = Suspended(t, out _);
        AssertAt(site, "generic");
        Assert.Equal("AwaitSitesTests.Echo", site.Method);
        g.Release();
        Assert.Equal("x", Finished(new ValueTask<string>(t)));
    }

    // Debug builds make state machines classes, Release builds structs: run once with -c Release to cover both.
    [Fact]
    public void TryGetStateMachine_MatchesTheBuildsStateMachineKind()
    {
        var g = new Gates();
        Task t = ThreeAwaits(g);
        object machine = AwaitSites.TryGetStateMachine(t)!;
#if DEBUG
        Assert.False(machine.GetType().IsValueType);
#else
        Assert.True(machine.GetType().IsValueType);
#endif
        AssertAt(AwaitSites.Locate(machine.GetType(), AwaitSites.ReadState(machine)!.Value)!.Value, "three-0");
        g.ReleaseAll(3);
    }

    [Fact]
    public void Locate_StateMinusOne_IsTheMethodsFirstSequencePoint()
    {
        var g = new Gates();
        Task t = Entry(g);
        Type machine = AwaitSites.TryGetStateMachine(t)!.GetType();
        SourceSite site = AwaitSites.Locate(machine, -1)!.Value;
#if DEBUG
        AssertAt(site, "entry-brace");   // Debug builds give the opening brace a sequence point (its nop)
#else
        AssertAt(site, "entry-first");
#endif
        g.Release();
    }

    [Fact]
    public void Locate_StatesWithoutAnAwait_GiveTheMethodOnly()
    {
        Type machine = AwaitSites.TryGetStateMachine(ThreeAwaits(new Gates()))!.GetType();
        Assert.Equal(new SourceSite("AwaitSitesTests.ThreeAwaits", null, 0, 0), AwaitSites.Locate(machine, -2));
        Assert.Equal(new SourceSite("AwaitSitesTests.ThreeAwaits", null, 0, 0), AwaitSites.Locate(machine, 3));
        Assert.Equal("AwaitSitesTests.ThreeAwaits", AwaitSites.Locate(machine, 3)!.Value.ToString());
    }

    [Fact]
    public void Locate_NotAStateMachine_IsNull()
    {
        Assert.Null(AwaitSites.Locate(typeof(string), 0));
        Assert.Null(AwaitSites.Locate(typeof(AwaitSitesTests), -1));
        Assert.Null(AwaitSites.Locate(typeof(IAsyncStateMachine), 0));
    }

    [Fact]
    public void ReadState_And_TryGetStateMachine_OtherObjects_AreNull()
    {
        Assert.Null(AwaitSites.ReadState(new object()));
        Assert.Null(AwaitSites.ReadState(42));
        Assert.Null(AwaitSites.TryGetStateMachine(Task.CompletedTask));
        Assert.Null(AwaitSites.TryGetStateMachine(new TaskCompletionSource().Task));
        Assert.Null(AwaitSites.TryGetStateMachine(ThreeAwaitsFinished()));

        static Task ThreeAwaitsFinished()
        {
            var g = new Gates();
            Task t = ThreeAwaits(g);
            g.ReleaseAll(3);
            return t;
        }
    }

    [Fact]
    public void Locate_CoroutineTask_IsTheAwaitOfTheCoroutine()
    {
        SourceSite? site = null;
        int? state = null;
        Aio.Run(async () =>
        {
            var f = new Future<int>();
            AioTask task = Aio.CreateTask(CoroutineWorker(f));
            await Aio.Sleep(0);                          // the task runs its first step and parks on f

            // A coroutine task IS its CoroutineBox<TStateMachine, T>; the machine is its StateMachine field.
            FieldInfo field = task.GetType().GetField("StateMachine")!;
            object machine = field.GetValue(task)!;
            state = AwaitSites.ReadState(machine);
            site = AwaitSites.Locate(machine.GetType(), state!.Value);
            f.SetResult(1);
            await task;
        }, Loops.Virtual());

        Assert.Equal(0, state);
        AssertAt(site!.Value, "coroutine");
        Assert.Equal("AwaitSitesTests.CoroutineWorker", site.Value.Method);
    }

    [Fact]
    public void Locate_SiteOfASampleAssembly_ComesFromThatAssemblysPdb()
    {
        Type? machine = typeof(Asyncio.Samples.SampleCatalog).Assembly.GetTypes()
            .FirstOrDefault(t => typeof(IAsyncStateMachine).IsAssignableFrom(t) && AwaitSites.YieldStates(t).Length > 0);
        Assert.NotNull(machine);
        SourceSite site = AwaitSites.Locate(machine, 0)!.Value;
        Assert.NotNull(site.File);
        Assert.EndsWith(".cs", site.File, StringComparison.Ordinal);
        Assert.True(site.Line > 0);
    }

    // What the remarks of AwaitSites claim: the stepping information lists the yield points in state order (index i is
    // state i, as MoveNext's IL stores them), for every async method and async iterator of the test, sample and library
    // assemblies; the ForeachAndUsing case shows that order is the lowered IL's, not the source's.
    [Fact]
    public void YieldStates_EveryStateMachineOfTheseAssemblies_IndexEqualsState()
    {
        int checkedMachines = 0;
        Assembly[] assemblies = [typeof(AwaitSitesTests).Assembly, typeof(Asyncio.Samples.SampleCatalog).Assembly, typeof(Aio).Assembly];
        foreach (Type t in assemblies.SelectMany(a => a.GetTypes()))
        {
            if (!typeof(IAsyncStateMachine).IsAssignableFrom(t))
            {
                continue;
            }

            int[] states = AwaitSites.YieldStates(t);
            Assert.True(Enumerable.Range(0, states.Length).SequenceEqual(states), $"{t}: [{string.Join(", ", states)}]");
            checkedMachines += states.Length > 0 ? 1 : 0;
        }

        Assert.True(checkedMachines > 100, $"only {checkedMachines} state machines with awaits were found");
    }

    [Fact]
    public void Locate_AwaitForeach_BodyAwaitIsStateZero_BecauseTheLoweredLoopTestsAtTheBottom()
    {
        Type machine = AwaitSites.TryGetStateMachine(ForeachAndUsing(new Gates()))!.GetType();
        AssertAt(AwaitSites.Locate(machine, 0)!.Value, "foreach-body");
        AssertAt(AwaitSites.Locate(machine, 1)!.Value, "foreach");   // MoveNextAsync
    }

    // ------------------------------------------------------------------ helpers

    /// <summary>The result of something the test just let finish (inline continuations: it never blocks).</summary>
    private static T Finished<T>(ValueTask<T> task)
    {
        Assert.True(task.IsCompletedSuccessfully);
        return task.Result;
    }

    /// <summary>The site of the await <paramref name="task"/> is suspended at, and the state it read.</summary>
    private static SourceSite Suspended(Task task, out int state)
    {
        Assert.False(task.IsCompleted, "the method under test finished early");
        object machine = AwaitSites.TryGetStateMachine(task) ?? throw new InvalidOperationException($"no state machine in {task.GetType()}");
        state = AwaitSites.ReadState(machine) ?? throw new InvalidOperationException($"no state field in {machine.GetType()}");
        return AwaitSites.Locate(machine.GetType(), state) ?? throw new InvalidOperationException($"{machine.GetType()} is not a state machine");
    }

    private static void AssertAt(SourceSite site, string marker)
    {
        Assert.NotNull(site.File);
        Assert.EndsWith("AwaitSitesTests.cs", site.File, StringComparison.Ordinal);
        Assert.True(LineOf(marker) == site.Line, $"expected @site:{marker} (line {LineOf(marker)}), got {site}");
        Assert.True(site.Column > 0);
    }

    /// <summary>The 1-based line of this file that carries the marker comment "@site:<paramref name="marker"/>".</summary>
    private static int LineOf(string marker, [CallerFilePath] string path = "")
    {
        string[] lines = File.ReadAllLines(path);
        string tag = "// @site:" + marker;
        int index = Array.FindIndex(lines, l => l.TrimEnd().EndsWith(tag, StringComparison.Ordinal));
        Assert.True(index >= 0, $"no line ends with '{tag}'");
        return index + 1;
    }

    /// <summary>One gate per await, opened in order by the test; the awaiting method resumes inline.</summary>
    private sealed class Gates
    {
        private readonly Queue<TaskCompletionSource> _open = new();

        public Task Next()
        {
            var tcs = new TaskCompletionSource();
            _open.Enqueue(tcs);
            return tcs.Task;
        }

        /// <summary>
        /// Opens the oldest gate. The continuation runs inline only where the runtime allows inlining: with no
        /// SynchronizationContext (xunit installs one), otherwise it would be queued to the thread pool.
        /// </summary>
        public void Release()
        {
            SynchronizationContext? saved = SynchronizationContext.Current;
            SynchronizationContext.SetSynchronizationContext(null);
            try
            {
                _open.Dequeue().SetResult();
            }
            finally
            {
                SynchronizationContext.SetSynchronizationContext(saved);
            }
        }

        public void ReleaseAll(int count)
        {
            for (int i = 0; i < count; i++)
            {
                Release();
            }
        }

        public void Throw() => throw new InvalidOperationException("into the catch");

        public void Touch()
        {
        }
    }

    /// <summary>An await-using resource whose DisposeAsync awaits the next gate.</summary>
    private sealed class GatedDisposable(Gates g) : IAsyncDisposable
    {
        public async ValueTask DisposeAsync() => await g.Next().ConfigureAwait(false);
    }
}
