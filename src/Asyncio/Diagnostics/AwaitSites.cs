using System.Collections.Concurrent;
using System.Reflection;
using System.Reflection.Metadata;
using System.Reflection.Metadata.Ecma335;
using System.Runtime.CompilerServices;

namespace Asyncio;

/// <summary>
/// Where a suspended async method is waiting: maps a compiler-generated state machine type and the value of its
/// <c>&lt;&gt;1__state</c> field to the source line of the await, using the portable PDB's async stepping information
/// (the yield IL offset of every await) and sequence points.
/// </summary>
/// <remarks>
/// <para>
/// Which yield point belongs to which state is read from MoveNext's IL (see <see cref="StateStores"/>): before each
/// yield point Roslyn stores the await's state number into the state field, so the last constant store before a yield
/// offset names its state. Checked against Roslyn's output (AwaitSitesTests): the stepping information lists the yield
/// points in IL order, and states are numbered in that same order, so yield index i is state i, for awaits in loops,
/// try, catch and finally blocks, <c>await foreach</c>, <c>await using</c> and async iterators (whose
/// <c>yield return</c>s take negative states, -4 downwards, so they never shift the await numbers), in Debug and
/// Release builds. It is the order of the lowered IL, not of the source: in <c>await foreach</c> the loop body's
/// await is state 0 and the enumerator's MoveNextAsync state 1, as the lowered loop tests its condition at the bottom.
/// The IL read is kept anyway, as it is what the running code actually stores, so a compiler that numbered otherwise
/// would still map right; if the IL cannot be decoded the index is taken as the state.
/// </para>
/// <para>
/// An await has only hidden sequence points of its own when the compiler wrote it (<c>await using</c>'s DisposeAsync,
/// <c>await foreach</c>'s DisposeAsync); it maps to the nearest visible sequence point before it, which is the using
/// block's closing brace in Debug builds but may be an earlier statement in Release builds.
/// </para>
/// <para>
/// Invariant: every answer for a type is computed once and cached (<see cref="s_sites"/>); nothing here throws: an
/// unreadable assembly or PDB only leaves <see cref="SourceSite.File"/> null.
/// </para>
/// </remarks>
internal static class AwaitSites
{
    /// <summary>The Kind of Roslyn's "AsyncMethodSteppingInformation" custom debug information (portable PDB spec).</summary>
    private static readonly Guid s_asyncSteppingKind = new("54FD2AC5-E925-401A-9C2A-F94F171072F8");

    /// <summary>Per state machine type; null for types that are not async state machines.</summary>
    private static readonly ConcurrentDictionary<Type, MachineSites?> s_sites = new();

    /// <summary>The state field of each state machine type seen by <see cref="ReadState"/> (null: it has none).</summary>
    private static readonly ConcurrentDictionary<Type, FieldInfo?> s_stateFields = new();

    /// <summary>The <c>StateMachine</c> field of each Task box type seen by <see cref="TryGetStateMachine"/> (null: none).</summary>
    private static readonly ConcurrentDictionary<Type, FieldInfo?> s_boxFields = new();

    /// <summary>
    /// The await at which a state machine of this type is suspended when its state field holds <paramref name="state"/>
    /// (&gt;= 0); for state -1 (running or not started) the method's first sequence point. Null only when the type is
    /// not an async state machine. The method name is always there; the file is null when no PDB (next to the assembly
    /// or embedded) is found, and for states with no await (-2 finished, unknown numbers).
    /// </summary>
    public static SourceSite? Locate(Type stateMachineType, int state)
    {
        if (stateMachineType is null)
        {
            return null;
        }

        MachineSites? sites = s_sites.GetOrAdd(stateMachineType, Build);
        if (sites is null)
        {
            return null;
        }

        if (state == -1)
        {
            return sites.Entry;
        }

        return state >= 0 && sites.Awaits.TryGetValue(state, out SourceSite site) ? site : sites.MethodOnly;
    }

    /// <summary>
    /// For tests of the ordering claim above: the state MoveNext's IL gives each yield point, by its index in the
    /// stepping information (-1 where the IL names none); empty when the type has no PDB or no awaits.
    /// </summary>
    internal static int[] YieldStates(Type stateMachineType) =>
        s_sites.GetOrAdd(stateMachineType, Build)?.YieldStates ?? [];

    /// <summary>Reads <c>&lt;&gt;1__state</c> from a boxed state machine (class or boxed struct); null if the field is missing.</summary>
    public static int? ReadState(object boxedStateMachine)
    {
        if (boxedStateMachine is null)
        {
            return null;
        }

        FieldInfo? field = s_stateFields.GetOrAdd(boxedStateMachine.GetType(), static t =>
            t.GetField("<>1__state", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic) is { FieldType: var ft } f
            && ft == typeof(int) ? f : null);
        return field?.GetValue(boxedStateMachine) as int?;
    }

    /// <summary>
    /// For a Task returned by an <c>async Task</c> method (in .NET Core that Task is the builder's
    /// <c>AsyncStateMachineBox&lt;TStateMachine&gt;</c>, whose field <c>StateMachine</c> holds the machine): the boxed state
    /// machine, or null for any other Task and for completed ones (the box clears its machine when it finishes).
    /// </summary>
    public static object? TryGetStateMachine(Task task)
    {
        if (task is null || task.IsCompleted)
        {
            return null;
        }

        FieldInfo? field = s_boxFields.GetOrAdd(task.GetType(), FindStateMachineField);
        object? machine = field?.GetValue(task);
        return task.IsCompleted ? null : machine;   // finished meanwhile: what we read may be the cleared default
    }

    /// <summary>The public <c>StateMachine</c> field of the box type or one of its bases (e.g. the debugger's finalizable box).</summary>
    private static FieldInfo? FindStateMachineField(Type boxType)
    {
        for (Type? t = boxType; t is not null; t = t.BaseType)
        {
            FieldInfo? f = t.GetField("StateMachine", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly);
            if (f is not null && typeof(IAsyncStateMachine).IsAssignableFrom(f.FieldType))
            {
                return f;
            }
        }

        return null;
    }

    private static MachineSites? Build(Type type)
    {
        if (type.IsInterface || !typeof(IAsyncStateMachine).IsAssignableFrom(type))
        {
            return null;
        }

        var methodOnly = new SourceSite(CoroutineNames.Of(type), null, 0, 0);
        try
        {
            return ReadPdb(type, methodOnly) ?? new MachineSites(methodOnly, methodOnly, [], []);
        }
        catch (Exception)   // diagnostics never throw: odd metadata or a corrupt PDB just means "no file"
        {
            return new MachineSites(methodOnly, methodOnly, [], []);
        }
    }

    /// <summary>The entry and await sites from the PDB of <paramref name="type"/>'s assembly; null when there is none.</summary>
    private static MachineSites? ReadPdb(Type type, SourceSite methodOnly)
    {
        MethodInfo? moveNext = FindMoveNext(type);
        if (moveNext is null || (moveNext.MetadataToken >> 24) != (int)TableIndex.MethodDef)
        {
            return null;
        }

        MetadataReaderProvider? provider = PortablePdbs.Of(moveNext.Module.Assembly);
        if (provider is null)
        {
            return null;
        }

        var handle = (MethodDefinitionHandle)MetadataTokens.EntityHandle(moveNext.MetadataToken);
        List<(int Offset, SourceSite Site)> points;
        List<int> yields;
        lock (provider)   // the reader itself is read-only; the lock only keeps one builder per PDB at a time
        {
            MetadataReader pdb = provider.GetMetadataReader();
            points = SequencePoints(pdb, handle, methodOnly.Method);
            yields = YieldOffsets(pdb, handle);
        }

        if (points.Count == 0)
        {
            return null;
        }

        var awaits = new Dictionary<int, SourceSite>();
        List<(int Offset, int State)> stores = yields.Count > 0 ? StateStores.Find(moveNext) : [];
        var yieldStates = new int[yields.Count];
        for (int i = 0; i < yields.Count; i++)
        {
            int? stored = StateBefore(stores, yields[i]);
            yieldStates[i] = stored ?? -1;
            int state = stored ?? i;
            if (SiteAt(points, yields[i]) is SourceSite site)
            {
                awaits.TryAdd(state, site);
            }
        }

        return new MachineSites(methodOnly, points[0].Site, awaits, yieldStates);
    }

    /// <summary>MoveNext as the state machine implements <see cref="IAsyncStateMachine"/>.</summary>
    private static MethodInfo? FindMoveNext(Type type)
    {
        InterfaceMapping map = type.GetInterfaceMap(typeof(IAsyncStateMachine));
        for (int i = 0; i < map.InterfaceMethods.Length; i++)
        {
            if (map.InterfaceMethods[i].Name == nameof(IAsyncStateMachine.MoveNext))
            {
                return map.TargetMethods[i];
            }
        }

        return null;
    }

    /// <summary>The method's visible (not hidden) sequence points in IL offset order.</summary>
    private static List<(int Offset, SourceSite Site)> SequencePoints(MetadataReader pdb, MethodDefinitionHandle method, string name)
    {
        var points = new List<(int Offset, SourceSite Site)>();
        MethodDebugInformation info = pdb.GetMethodDebugInformation(method);
        foreach (SequencePoint sp in info.GetSequencePoints())
        {
            if (sp.IsHidden || sp.Document.IsNil)
            {
                continue;   // hidden points (line 0xFEEFEE) belong to compiler-generated code
            }

            string file = pdb.GetString(pdb.GetDocument(sp.Document).Name);
            points.Add((sp.Offset, new SourceSite(name, file, sp.StartLine, sp.StartColumn)));
        }

        points.Sort((a, b) => a.Offset.CompareTo(b.Offset));
        return points;
    }

    /// <summary>
    /// The yield offsets of the AsyncMethodSteppingInformation blob, in blob order: uint32 catch handler offset + 1
    /// (0 when none), then for each await uint32 yield offset, uint32 resume offset, compressed resume method row.
    /// </summary>
    private static List<int> YieldOffsets(MetadataReader pdb, MethodDefinitionHandle method)
    {
        var yields = new List<int>();
        foreach (CustomDebugInformationHandle h in pdb.GetCustomDebugInformation(method))
        {
            CustomDebugInformation cdi = pdb.GetCustomDebugInformation(h);
            if (pdb.GetGuid(cdi.Kind) != s_asyncSteppingKind)
            {
                continue;
            }

            BlobReader blob = pdb.GetBlobReader(cdi.Value);
            blob.ReadUInt32();   // catch handler offset + 1
            while (blob.RemainingBytes > 0)
            {
                yields.Add((int)blob.ReadUInt32());
                blob.ReadUInt32();             // resume offset
                blob.ReadCompressedInteger();  // MethodDef row of the resume method (MoveNext itself)
            }
        }

        return yields;
    }

    /// <summary>The state stored last before <paramref name="yieldOffset"/>, or null if no store precedes it.</summary>
    private static int? StateBefore(List<(int Offset, int State)> stores, int yieldOffset)
    {
        int? state = null;
        foreach ((int offset, int value) in stores)
        {
            if (offset >= yieldOffset)
            {
                break;
            }

            state = value;
        }

        return state;
    }

    /// <summary>The nearest visible sequence point at or before <paramref name="offset"/>.</summary>
    private static SourceSite? SiteAt(List<(int Offset, SourceSite Site)> points, int offset)
    {
        SourceSite? site = null;
        foreach ((int start, SourceSite s) in points)
        {
            if (start > offset)
            {
                break;
            }

            site = s;
        }

        return site;
    }

    /// <summary>
    /// What <see cref="Locate"/> answers for one type: its name alone, its first line, each await by state, and the
    /// IL-read state of each yield point in stepping-information order.
    /// </summary>
    private sealed record MachineSites(SourceSite MethodOnly, SourceSite Entry, Dictionary<int, SourceSite> Awaits, int[] YieldStates);
}
