using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Asyncio.Analyzers;

/// <summary>
/// ASY007: <c>Aio.Gather(source.Select(x =&gt; ...))</c> (optionally followed by ToArray/ToList) where the source's
/// size is not known at compile time and the selector lambda touches nothing that limits concurrency (an
/// AsyncSemaphore, AsyncBoundedSemaphore, AsyncLock, AsyncQueue or SemaphoreSlim). Deliberately narrow: a method
/// group selector, a list of tasks built in a loop, or a semaphore used inside the called method are not looked at.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class UnboundedGatherAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.UnboundedGather);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = new KnownSymbols(start.Compilation);
            if (known.Aio is null || known.Enumerable is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, known), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols known)
    {
        var gather = (IInvocationOperation)context.Operation;
        if (gather.TargetMethod.Name != "Gather" || !KnownSymbols.Is(gather.TargetMethod.ContainingType, known.Aio))
        {
            return;
        }

        IArgumentOperation? first = gather.Arguments.FirstOrDefault(a => a.Parameter?.Ordinal == 0);
        if (first is null)
        {
            return;
        }

        IOperation argument = Unwrap(first.Value);
        if (argument is IArrayCreationOperation { Initializer: { } paramsArray } && first.ArgumentKind == ArgumentKind.ParamArray)
        {
            if (paramsArray.ElementValues.Length != 1)
            {
                return;   // Gather(a, b, c): a fixed count
            }

            argument = Unwrap(paramsArray.ElementValues[0]);
        }

        // Gather(source.Select(...).ToArray()) and .ToList() gather the same unbounded set.
        if (argument is IInvocationOperation { TargetMethod.Name: "ToArray" or "ToList" } materialize
            && KnownSymbols.Is(materialize.TargetMethod.ContainingType, known.Enumerable))
        {
            argument = Unwrap(materialize.Arguments[0].Value);
        }

        if (argument is not IInvocationOperation { TargetMethod.Name: "Select" } select
            || !KnownSymbols.Is(select.TargetMethod.ContainingType, known.Enumerable)
            || select.Arguments.Length != 2
            || HasKnownSize(Unwrap(select.Arguments[0].Value)))
        {
            return;
        }

        if (Unwrap(select.Arguments[1].Value) is not IDelegateCreationOperation { Target: IAnonymousFunctionOperation selector }
            || IsBounded(selector, known))
        {
            return;
        }

        context.ReportDiagnostic(Diagnostic.Create(Descriptors.UnboundedGather, select.Syntax.GetLocation()));
    }

    /// <summary>The selector touches something that caps concurrency.</summary>
    private static bool IsBounded(IAnonymousFunctionOperation selector, KnownSymbols known) =>
        selector.Body.DescendantsAndSelf().Any(op => IsLimiter(op.Type, known)
            || (op is IInvocationOperation call && IsLimiter(call.TargetMethod.ContainingType, known)));

    private static bool IsLimiter(ITypeSymbol? type, KnownSymbols known) =>
        KnownSymbols.DerivesFrom(type, known.AsyncSemaphore)
        || KnownSymbols.DerivesFrom(type, known.AsyncLock)
        || KnownSymbols.DerivesFrom(type, known.AsyncQueue)
        || KnownSymbols.DerivesFrom(type, known.SemaphoreSlim);

    /// <summary>An array or collection written out in place, or Enumerable.Range/Repeat with a constant count.</summary>
    private static bool HasKnownSize(IOperation source) => source switch
    {
        IArrayCreationOperation { Initializer: not null } => true,
        ICollectionExpressionOperation => true,
        IInvocationOperation { TargetMethod.Name: "Range" or "Repeat" } call
            when call.TargetMethod.ContainingType.Name == "Enumerable" && call.Arguments.Length == 2 =>
            call.Arguments[1].Value.ConstantValue.HasValue,
        _ => false,
    };

    private static IOperation Unwrap(IOperation operation)
    {
        while (operation is IConversionOperation { IsImplicit: true } conversion)
        {
            operation = conversion.Operand;
        }

        return operation;
    }
}
