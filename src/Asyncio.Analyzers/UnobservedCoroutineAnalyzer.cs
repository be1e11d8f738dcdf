using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Asyncio.Analyzers;

/// <summary>
/// ASY002: a coroutine dropped on the floor (it never runs), or a task from <c>Aio.CreateTask</c> dropped in
/// synchronous code (it runs, but its outcome is lost). Only where the compiler's CS4014 is silent: CS4014 already
/// reports an unawaited call statement in an async function, so this rule looks at discards (<c>_ = F();</c>, which
/// CS4014 never reports) and at call statements in functions that are not async (including expression-bodied
/// lambdas such as <c>loop.CallSoon(() =&gt; F())</c>, whose value is thrown away).
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class UnobservedCoroutineAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnobservedCoroutine);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = new KnownSymbols(start.Compilation);
            if (known.Coroutine is null)
            {
                return;   // not an Asyncio project
            }

            start.RegisterOperationAction(c => AnalyzeStatement(c, known), OperationKind.ExpressionStatement);
            start.RegisterOperationAction(c => AnalyzeDiscard(c, known), OperationKind.SimpleAssignment);
        });
    }

    private static void AnalyzeStatement(OperationAnalysisContext context, KnownSymbols known)
    {
        var statement = (IExpressionStatementOperation)context.Operation;
        if (statement.Operation is not IInvocationOperation invocation)
        {
            return;
        }

        FunctionContext function = FunctionContext.Of(statement, context.ContainingSymbol, known);
        if (function.IsAsync)
        {
            return;   // CS4014 reports it
        }

        Check(context, invocation, known, isDiscard: false);
    }

    private static void AnalyzeDiscard(OperationAnalysisContext context, KnownSymbols known)
    {
        var assignment = (ISimpleAssignmentOperation)context.Operation;
        if (assignment.Target is not IDiscardOperation || Unwrap(assignment.Value) is not IInvocationOperation invocation)
        {
            return;
        }

        Check(context, invocation, known, isDiscard: true);
    }

    private static void Check(OperationAnalysisContext context, IInvocationOperation invocation, KnownSymbols known, bool isDiscard)
    {
        ITypeSymbol? type = invocation.Type;
        IMethodSymbol method = invocation.TargetMethod;
        string name = method.MethodKind == MethodKind.LocalFunction ? method.Name : method.ContainingType.Name + "." + method.Name;
        if (known.IsCoroutineLike(type))
        {
            string what = known.IsCoroutine(type) ? "coroutine"
                : type is INamedTypeSymbol lazy && KnownSymbols.IsLazyAwaitable(lazy) ? "lazy awaitable"
                : "ValueCoroutine";
            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.UnobservedCoroutine, invocation.Syntax.GetLocation(),
                name, what, "a coroutine that is not awaited never runs; await it, or start it with Aio.CreateTask and keep the task"));
            return;
        }

        // A task from CreateTask runs anyway: only its outcome is lost. Info, and only in synchronous code; in an
        // async function CS4014 reports the statement and '_ = Aio.CreateTask(...)' is a deliberate fire-and-forget.
        if (KnownSymbols.DerivesFrom(type, known.AioTask) && invocation.TargetMethod.Name == "CreateTask"
            && (KnownSymbols.Is(invocation.TargetMethod.ContainingType, known.Aio)
                || KnownSymbols.Is(invocation.TargetMethod.ContainingType, known.EventLoop)))
        {
            FunctionContext function = FunctionContext.Of(invocation, context.ContainingSymbol, known);
            if (isDiscard && function.IsAsync)
            {
                return;
            }

            context.ReportDiagnostic(Diagnostic.Create(
                Descriptors.UnobservedCoroutine, invocation.Syntax.GetLocation(), DiagnosticSeverity.Info,
                additionalLocations: null, properties: null,
                name, "task", "it runs, but nothing awaits it, so its result and exception are lost; keep the task and await it, or use a TaskGroup"));
        }
    }

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }
}
