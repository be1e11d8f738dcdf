using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Asyncio.Analyzers;

/// <summary>
/// ASY001: a call that blocks the thread, inside a coroutine or an async method. Only calls known to wait are
/// reported; <c>AioTask.Result</c> and <c>Future&lt;T&gt;.Result</c> never block and are not among them.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class BlockingCallAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Property key telling the code fix which rewrite applies: one of the <c>Fix*</c> values.</summary>
    public const string FixKey = "Fix";

    /// <summary><c>Thread.Sleep(x)</c> becomes <c>await Aio.Sleep(...)</c>.</summary>
    public const string FixSleep = "Sleep";

    /// <summary><c>t.Wait()</c>, <c>t.Result</c>, <c>t.GetAwaiter().GetResult()</c> become <c>await t</c>.</summary>
    public const string FixAwait = "Await";

    /// <summary>Any other blocking call moves to the thread pool: <c>await Aio.ToThread(() => call)</c>.</summary>
    public const string FixToThread = "ToThread";

    private static readonly ImmutableHashSet<string> FileMethods = ImmutableHashSet.Create(
        "ReadAllText", "ReadAllBytes", "ReadAllLines", "ReadLines",
        "WriteAllText", "WriteAllBytes", "WriteAllLines", "AppendAllText", "AppendAllLines", "Copy");

    private static readonly ImmutableHashSet<string> StreamMethods = ImmutableHashSet.Create(
        "Read", "Write", "ReadByte", "WriteByte", "ReadExactly", "ReadAtLeast", "CopyTo", "Flush");

    private static readonly ImmutableHashSet<string> ReaderMethods = ImmutableHashSet.Create(
        "ReadToEnd", "ReadLine", "Read", "ReadBlock");

    private static readonly ImmutableHashSet<string> WriterMethods = ImmutableHashSet.Create(
        "Write", "WriteLine", "Flush");

    private static readonly ImmutableHashSet<string> SocketMethods = ImmutableHashSet.Create(
        "Receive", "ReceiveFrom", "ReceiveMessageFrom", "Send", "SendTo", "SendFile", "Accept", "Connect", "Disconnect");

    private static readonly ImmutableHashSet<string> DnsMethods = ImmutableHashSet.Create(
        "GetHostEntry", "GetHostAddresses", "GetHostByName", "Resolve");

    private static readonly ImmutableHashSet<string> CompletionProperties = ImmutableHashSet.Create(
        "IsCompleted", "IsCompletedSuccessfully", "IsFaulted", "IsCanceled", "Status");

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.BlockingCall);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = new KnownSymbols(start.Compilation);
            start.RegisterOperationAction(c => AnalyzeInvocation(c, known), OperationKind.Invocation);
            start.RegisterOperationAction(c => AnalyzeProperty(c, known), OperationKind.PropertyReference);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        (string? name, string? fix) = Classify(invocation, known);
        if (name is null || !FunctionContext.Of(invocation, context.ContainingSymbol, known).IsCoroutineOrAsync)
        {
            return;
        }

        if (fix == FixAwait && IsKnownCompleted(AwaitedTaskOf(invocation), invocation))
        {
            return;
        }

        Report(context, invocation.Syntax, name, fix);
    }

    private static void AnalyzeProperty(OperationAnalysisContext context, KnownSymbols known)
    {
        var reference = (IPropertyReferenceOperation)context.Operation;
        IPropertySymbol property = reference.Property;
        if (property.Name != "Result" || reference.Instance is null)
        {
            return;
        }

        INamedTypeSymbol type = property.ContainingType.OriginalDefinition;
        if (!KnownSymbols.Is(type, known.TaskOfT) && !KnownSymbols.Is(type, known.ValueTaskOfT))
        {
            return;   // AioTask<T>.Result, Future<T>.Result: they return or throw at once, never wait
        }

        if (!FunctionContext.Of(reference, context.ContainingSymbol, known).IsCoroutineOrAsync
            || IsKnownCompleted(reference.Instance, reference))
        {
            return;
        }

        Report(context, reference.Syntax, type.Name + "<T>.Result", FixAwait);
    }

    private static void Report(OperationAnalysisContext context, SyntaxNode syntax, string name, string? fix)
    {
        ImmutableDictionary<string, string?> properties = fix is null
            ? ImmutableDictionary<string, string?>.Empty
            : ImmutableDictionary<string, string?>.Empty.Add(FixKey, fix);
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.BlockingCall, syntax.GetLocation(), properties, name));
    }

    /// <summary>The name to show and the fix to offer, or a null name when the call does not block.</summary>
    private static (string? Name, string? Fix) Classify(IInvocationOperation invocation, KnownSymbols known)
    {
        IMethodSymbol method = invocation.TargetMethod;
        INamedTypeSymbol type = method.ContainingType.OriginalDefinition;
        string name = method.Name;
        ITypeSymbol? receiver = invocation.Instance?.Type;

        if (KnownSymbols.Is(type, known.Thread))
        {
            return name switch
            {
                "Sleep" => ("Thread.Sleep", FixSleep),
                "Join" when !HasZeroTimeout(invocation, known) => ("Thread.Join", FixToThread),
                _ => (null, null),
            };
        }

        if (KnownSymbols.Is(type, known.Task))
        {
            return name switch
            {
                "Wait" when !method.IsStatic && method.Parameters.Length == 0 => ("Task.Wait", FixAwait),
                "Wait" when !method.IsStatic && !HasZeroTimeout(invocation, known) => ("Task.Wait", FixToThread),
                "WaitAll" or "WaitAny" when method.IsStatic => ("Task." + name, FixToThread),
                _ => (null, null),
            };
        }

        if (name == "GetResult" && method.Parameters.Length == 0 && known.TaskAwaiters.Contains(type))
        {
            return ("GetAwaiter().GetResult()", FixAwait);
        }

        if (KnownSymbols.Is(type, known.File) && FileMethods.Contains(name))
        {
            return ("File." + name, FixToThread);
        }

        if (!method.IsStatic && StreamMethods.Contains(name)
            && (KnownSymbols.DerivesFrom(receiver, known.FileStream) || KnownSymbols.DerivesFrom(receiver, known.NetworkStream)))
        {
            return (receiver!.Name + "." + name, FixToThread);
        }

        if (!method.IsStatic && ReaderMethods.Contains(name) && KnownSymbols.DerivesFrom(receiver, known.StreamReader)
            && IsFileBacked(invocation.Instance!, known))
        {
            return ("StreamReader." + name, FixToThread);
        }

        if (!method.IsStatic && WriterMethods.Contains(name) && KnownSymbols.DerivesFrom(receiver, known.StreamWriter)
            && IsFileBacked(invocation.Instance!, known))
        {
            return ("StreamWriter." + name, FixToThread);
        }

        if ((KnownSymbols.Is(type, known.Socket) && SocketMethods.Contains(name))
            || (KnownSymbols.Is(type, known.TcpClient) && name == "Connect")
            || (KnownSymbols.Is(type, known.TcpListener) && name is "AcceptSocket" or "AcceptTcpClient")
            || (KnownSymbols.Is(type, known.UdpClient) && name is "Receive" or "Send")
            || (KnownSymbols.Is(type, known.Dns) && DnsMethods.Contains(name)))
        {
            return (type.Name + "." + name, FixToThread);
        }

        bool waits =
            (KnownSymbols.Is(type, known.Process) && name == "WaitForExit")
            || (KnownSymbols.Is(type, known.SemaphoreSlim) && name == "Wait")
            || (KnownSymbols.Is(type, known.ManualResetEventSlim) && name == "Wait")
            || (KnownSymbols.Is(type, known.CountdownEvent) && name == "Wait")
            || (KnownSymbols.Is(type, known.Barrier) && name == "SignalAndWait")
            || (KnownSymbols.Is(type, known.WaitHandle) && name is "WaitOne" or "WaitAll" or "WaitAny");
        if (waits && !HasZeroTimeout(invocation, known))
        {
            return (type.Name + "." + name, FixToThread);
        }

        return (null, null);
    }

    /// <summary>A first argument of 0 (ms) or TimeSpan.Zero makes a wait a non-blocking poll (<c>sem.Wait(0)</c>).</summary>
    private static bool HasZeroTimeout(IInvocationOperation invocation, KnownSymbols known)
    {
        IArgumentOperation? first = invocation.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
        if (first is null || first.ArgumentKind == ArgumentKind.DefaultValue)
        {
            return false;
        }

        IOperation value = Skip(first.Value);
        if (value.ConstantValue is { HasValue: true, Value: int or long } constant)
        {
            return System.Convert.ToInt64(constant.Value, System.Globalization.CultureInfo.InvariantCulture) == 0;
        }

        return value is IFieldReferenceOperation { Field.Name: "Zero" } field
            && KnownSymbols.Is(field.Field.ContainingType, known.TimeSpan);
    }

    /// <summary>
    /// True when the reader or writer is made right here from a path, a FileStream or File.OpenText & co., directly or
    /// through the initializer of a local. A reader over an unknown stream may be a MemoryStream: not reported.
    /// </summary>
    private static bool IsFileBacked(IOperation instance, KnownSymbols known)
    {
        IOperation value = Skip(instance);
        if (value is ILocalReferenceOperation local)
        {
            foreach (SyntaxReference reference in local.Local.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } init }
                    && instance.SemanticModel?.GetOperation(init) is { } initOperation)
                {
                    return IsFileSource(Skip(initOperation), known);
                }
            }

            return false;
        }

        return IsFileSource(value, known);
    }

    private static bool IsFileSource(IOperation value, KnownSymbols known)
    {
        switch (value)
        {
            case IObjectCreationOperation creation when creation.Arguments.Length > 0:
                ITypeSymbol? first = Skip(creation.Arguments.First(a => a.Parameter?.Ordinal == 0).Value).Type;
                return first?.SpecialType == SpecialType.System_String || KnownSymbols.DerivesFrom(first, known.FileStream);
            case IInvocationOperation call:
                return KnownSymbols.Is(call.TargetMethod.ContainingType, known.File)
                    && call.TargetMethod.Name is "OpenText" or "CreateText" or "AppendText";
            default:
                return false;
        }
    }

    /// <summary>The task a fix-by-await would await: the receiver of Wait(), or the source of GetAwaiter().</summary>
    private static IOperation? AwaitedTaskOf(IInvocationOperation invocation)
    {
        if (invocation.TargetMethod.Name == "GetResult")
        {
            IOperation? awaiterSource = Skip(invocation.Instance!);
            if (awaiterSource is IInvocationOperation { TargetMethod.Name: "GetAwaiter" } getAwaiter)
            {
                IOperation? source = getAwaiter.Instance is null ? null : Skip(getAwaiter.Instance);
                return source is IInvocationOperation { TargetMethod.Name: "ConfigureAwait" } configure ? configure.Instance : source;
            }

            return null;
        }

        return invocation.Instance;
    }

    /// <summary>
    /// True when the task is already known to be complete at this point: an earlier await in the same function
    /// involved it (<c>await t</c>, <c>await Task.WhenAll(t, u)</c>, <c>await Task.WhenAll(all)</c> with <c>all</c>
    /// holding it), or an earlier check read its IsCompleted/Status. Reading <c>t.Result</c> then does not block.
    /// </summary>
    private static bool IsKnownCompleted(IOperation? task, IOperation at)
    {
        ISymbol? symbol = task is null ? null : ReferencedSymbol(Skip(task));
        if (symbol is null)
        {
            return false;
        }

        int position = at.Syntax.SpanStart;
        IOperation root = FunctionContext.BodyRoot(at);
        var awaited = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation op in root.Descendants())
        {
            if (op.Syntax.Span.End > position)
            {
                continue;
            }

            if (op is IAwaitOperation)
            {
                foreach (IOperation inner in op.DescendantsAndSelf())
                {
                    if (ReferencedSymbol(inner) is { } s)
                    {
                        awaited.Add(s);
                    }
                }
            }
            else if (op is IPropertyReferenceOperation { Instance: { } instance } check
                     && CompletionProperties.Contains(check.Property.Name)
                     && SymbolEqualityComparer.Default.Equals(ReferencedSymbol(Skip(instance)), symbol))
            {
                return true;
            }
        }

        if (awaited.Contains(symbol))
        {
            return true;
        }

        // One step through locals: 'var all = new[] { a, b }; await Task.WhenAll(all);' completes a and b, and
        // 'foreach (var t in all)' iterates completed tasks.
        foreach (ISymbol holder in awaited.ToList())
        {
            if (holder is ILocalSymbol local)
            {
                foreach (SyntaxReference reference in local.DeclaringSyntaxReferences)
                {
                    if (reference.GetSyntax() is VariableDeclaratorSyntax { Initializer.Value: { } init }
                        && at.SemanticModel?.GetOperation(init) is { } initOperation)
                    {
                        foreach (IOperation inner in initOperation.DescendantsAndSelf())
                        {
                            if (ReferencedSymbol(inner) is { } s)
                            {
                                awaited.Add(s);
                            }
                        }
                    }
                }
            }
        }

        if (awaited.Contains(symbol))
        {
            return true;
        }

        if (symbol is ILocalSymbol iteration)
        {
            foreach (SyntaxReference reference in iteration.DeclaringSyntaxReferences)
            {
                if (reference.GetSyntax() is ForEachStatementSyntax loop
                    && at.SemanticModel?.GetOperation(loop.Expression) is { } collection
                    && collection.DescendantsAndSelf().Any(o => ReferencedSymbol(o) is { } s && awaited.Contains(s)))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static ISymbol? ReferencedSymbol(IOperation operation) => operation switch
    {
        ILocalReferenceOperation l => l.Local,
        IParameterReferenceOperation p => p.Parameter,
        IFieldReferenceOperation f => f.Field,
        IPropertyReferenceOperation { Property.Name: not "Result" } pr => pr.Property,
        _ => null,
    };

    private static IOperation Skip(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } or IParenthesizedOperation)
        {
            operation = operation switch
            {
                IConversionOperation c => c.Operand,
                IParenthesizedOperation p => p.Operand,
                _ => operation,
            };
        }

        return operation;
    }
}
