using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace Asyncio.Analyzers;

/// <summary>
/// The types the rules recognise, looked up once per compilation by metadata name (the analyzers do not reference
/// the Asyncio assembly). Any of them may be null when the compilation does not reference its assembly.
/// </summary>
internal sealed class KnownSymbols
{
    public KnownSymbols(Compilation compilation)
    {
        Compilation = compilation;

        Coroutine = Get("Asyncio.Coroutine");
        CoroutineOfT = Get("Asyncio.Coroutine`1");
        ValueCoroutine = Get("Asyncio.ValueCoroutine");
        ValueCoroutineOfT = Get("Asyncio.ValueCoroutine`1");
        AioTask = Get("Asyncio.AioTask");
        AioFuture = Get("Asyncio.AioFuture");
        Aio = Get("Asyncio.Aio");
        EventLoop = Get("Asyncio.EventLoop");
        CancelledError = Get("Asyncio.CancelledError");
        AsyncSemaphore = Get("Asyncio.AsyncSemaphore");
        AsyncLock = Get("Asyncio.AsyncLock");
        AsyncQueue = Get("Asyncio.AsyncQueue`1");

        Task = Get("System.Threading.Tasks.Task");
        TaskOfT = Get("System.Threading.Tasks.Task`1");
        ValueTaskOfT = Get("System.Threading.Tasks.ValueTask`1");
        Thread = Get("System.Threading.Thread");
        OperationCanceledException = Get("System.OperationCanceledException");
        EventArgs = Get("System.EventArgs");
        TimeProvider = Get("System.TimeProvider");
        TimeSpan = Get("System.TimeSpan");
        CancellationToken = Get("System.Threading.CancellationToken");
        SemaphoreSlim = Get("System.Threading.SemaphoreSlim");
        Enumerable = Get("System.Linq.Enumerable");

        File = Get("System.IO.File");
        FileStream = Get("System.IO.FileStream");
        StreamReader = Get("System.IO.StreamReader");
        StreamWriter = Get("System.IO.StreamWriter");
        Socket = Get("System.Net.Sockets.Socket");
        NetworkStream = Get("System.Net.Sockets.NetworkStream");
        TcpClient = Get("System.Net.Sockets.TcpClient");
        TcpListener = Get("System.Net.Sockets.TcpListener");
        UdpClient = Get("System.Net.Sockets.UdpClient");
        Dns = Get("System.Net.Dns");
        Process = Get("System.Diagnostics.Process");
        WaitHandle = Get("System.Threading.WaitHandle");
        ManualResetEventSlim = Get("System.Threading.ManualResetEventSlim");
        CountdownEvent = Get("System.Threading.CountdownEvent");
        Barrier = Get("System.Threading.Barrier");

        TaskAwaiters = ImmutableHashSet.CreateRange<INamedTypeSymbol>(
            SymbolEqualityComparer.Default,
            new[]
            {
                Get("System.Runtime.CompilerServices.TaskAwaiter"),
                Get("System.Runtime.CompilerServices.TaskAwaiter`1"),
                Get("System.Runtime.CompilerServices.ValueTaskAwaiter"),
                Get("System.Runtime.CompilerServices.ValueTaskAwaiter`1"),
                Get("System.Runtime.CompilerServices.ConfiguredTaskAwaitable+ConfiguredTaskAwaiter"),
                Get("System.Runtime.CompilerServices.ConfiguredTaskAwaitable`1+ConfiguredTaskAwaiter"),
                Get("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable+ConfiguredValueTaskAwaiter"),
                Get("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable`1+ConfiguredValueTaskAwaiter"),
            }.Where(t => t is not null).Select(t => t!));
    }

    public Compilation Compilation { get; }

    public INamedTypeSymbol? Coroutine { get; }
    public INamedTypeSymbol? CoroutineOfT { get; }
    public INamedTypeSymbol? ValueCoroutine { get; }
    public INamedTypeSymbol? ValueCoroutineOfT { get; }
    public INamedTypeSymbol? AioTask { get; }
    public INamedTypeSymbol? AioFuture { get; }
    public INamedTypeSymbol? Aio { get; }
    public INamedTypeSymbol? EventLoop { get; }
    public INamedTypeSymbol? CancelledError { get; }
    public INamedTypeSymbol? AsyncSemaphore { get; }
    public INamedTypeSymbol? AsyncLock { get; }
    public INamedTypeSymbol? AsyncQueue { get; }

    public INamedTypeSymbol? Task { get; }
    public INamedTypeSymbol? TaskOfT { get; }
    public INamedTypeSymbol? ValueTaskOfT { get; }
    public INamedTypeSymbol? Thread { get; }
    public INamedTypeSymbol? OperationCanceledException { get; }
    public INamedTypeSymbol? EventArgs { get; }
    public INamedTypeSymbol? TimeProvider { get; }
    public INamedTypeSymbol? TimeSpan { get; }
    public INamedTypeSymbol? CancellationToken { get; }
    public INamedTypeSymbol? SemaphoreSlim { get; }
    public INamedTypeSymbol? Enumerable { get; }

    public INamedTypeSymbol? File { get; }
    public INamedTypeSymbol? FileStream { get; }
    public INamedTypeSymbol? StreamReader { get; }
    public INamedTypeSymbol? StreamWriter { get; }
    public INamedTypeSymbol? Socket { get; }
    public INamedTypeSymbol? NetworkStream { get; }
    public INamedTypeSymbol? TcpClient { get; }
    public INamedTypeSymbol? TcpListener { get; }
    public INamedTypeSymbol? UdpClient { get; }
    public INamedTypeSymbol? Dns { get; }
    public INamedTypeSymbol? Process { get; }
    public INamedTypeSymbol? WaitHandle { get; }
    public INamedTypeSymbol? ManualResetEventSlim { get; }
    public INamedTypeSymbol? CountdownEvent { get; }
    public INamedTypeSymbol? Barrier { get; }

    /// <summary>The awaiters of Task and ValueTask (plain and configured), whose GetResult blocks.</summary>
    public ImmutableHashSet<INamedTypeSymbol> TaskAwaiters { get; }

    /// <summary>True for <c>Coroutine</c> and <c>Coroutine&lt;T&gt;</c>, the types of <c>async Coroutine</c> methods.</summary>
    public bool IsCoroutine(ITypeSymbol? type) =>
        type is INamedTypeSymbol named && Coroutine is not null
        && (Is(named, Coroutine) || Is(named.OriginalDefinition, CoroutineOfT));

    /// <summary>
    /// True for the coroutine types, the ValueCoroutine ones, and the library's lazy awaitables (the structs that
    /// <c>AcquireAsync</c>, <c>GetAsync</c>, <c>PutAsync</c>, <c>ReadAsync</c>... return): nothing happens until they are awaited.
    /// </summary>
    public bool IsCoroutineLike(ITypeSymbol? type) =>
        IsCoroutine(type)
        || (type is INamedTypeSymbol named && (Is(named, ValueCoroutine) || Is(named.OriginalDefinition, ValueCoroutineOfT) || IsLazyAwaitable(named)));

    /// <summary>A struct of the Asyncio namespace with GetAwaiter and AsCoroutine: an operation that runs when awaited.</summary>
    public static bool IsLazyAwaitable(INamedTypeSymbol type) =>
        type.IsValueType
        && type.ContainingNamespace?.ToDisplayString() == "Asyncio"
        && !type.GetMembers("AsCoroutine").IsEmpty
        && !type.GetMembers("GetAwaiter").IsEmpty;

    /// <summary>True when <paramref name="type"/> is <paramref name="baseType"/> or derives from it.</summary>
    public static bool DerivesFrom(ITypeSymbol? type, INamedTypeSymbol? baseType)
    {
        if (baseType is null)
        {
            return false;
        }

        for (ITypeSymbol? t = type; t is not null; t = t.BaseType)
        {
            if (SymbolEqualityComparer.Default.Equals(t.OriginalDefinition, baseType))
            {
                return true;
            }
        }

        return false;
    }

    public static bool Is(ISymbol? symbol, ISymbol? other) =>
        symbol is not null && other is not null && SymbolEqualityComparer.Default.Equals(symbol, other);

    private INamedTypeSymbol? Get(string metadataName) => Compilation.GetTypeByMetadataName(metadataName);
}
