using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Asyncio.Analyzers;

/// <summary>
/// ASY006: <c>Task.Delay</c> in code the loop runs (a coroutine, or an async lambda handed to Aio.Run and co.),
/// unless it is given a TimeProvider. <c>Thread.Sleep</c> is ASY001's (it blocks, which is worse), so it is not
/// reported twice.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class TaskDelayAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Property key set (to "true") when the code fix can replace the call with Aio.Sleep.</summary>
    public const string FixableKey = "Fixable";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.TaskDelay);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = new KnownSymbols(start.Compilation);
            if (known.Coroutine is null || known.Task is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, known), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        IMethodSymbol method = invocation.TargetMethod;
        if (method.Name != "Delay" || !KnownSymbols.Is(method.ContainingType, known.Task)
            || method.Parameters.Any(p => KnownSymbols.DerivesFrom(p.Type, known.TimeProvider))
            || !FunctionContext.Of(invocation, context.ContainingSymbol, known).RunsOnLoop)
        {
            return;
        }

        // Aio.Sleep has no token parameter (the task's own cancellation stops it), so only a delay without a token
        // (or with 'default'/CancellationToken.None) is rewritten; and only when awaited right here, as Aio.Sleep
        // is an awaitable, not a Task.
        bool noToken = invocation.Arguments.All(a =>
            !KnownSymbols.Is(a.Parameter?.Type, known.CancellationToken)
            || a.ArgumentKind == ArgumentKind.DefaultValue
            || a.Value is IDefaultValueOperation
            || a.Value is IPropertyReferenceOperation { Property.Name: "None" });
        bool awaited = invocation.Parent is IAwaitOperation;
        ImmutableDictionary<string, string?> properties = noToken && awaited
            ? ImmutableDictionary<string, string?>.Empty.Add(FixableKey, "true")
            : ImmutableDictionary<string, string?>.Empty;
        string what = !noToken
            ? "waits on the system clock, not the loop's (possibly virtual) one"
            : "waits on the system clock and cannot be cancelled with the task";
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.TaskDelay, invocation.Syntax.GetLocation(), properties, what));
    }
}
