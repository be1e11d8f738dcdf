using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Asyncio.Analyzers;

/// <summary>
/// ASY003: in a coroutine or async function, a catch that can receive the task's CancelledError (it guards an
/// await) and ends without throwing: either a catch of CancelledError/OperationCanceledException, or a general
/// catch (bare, Exception, SystemException) that nothing before it or in its filter keeps cancellation away from.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class SwallowedCancellationAnalyzer : DiagnosticAnalyzer
{
    /// <summary>Property key: "General" for a general catch (the code fix inserts a rethrowing catch before it).</summary>
    public const string KindKey = "Kind";

    /// <summary>The value of <see cref="KindKey"/> for a general catch.</summary>
    public const string GeneralKind = "General";

    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.SwallowedCancellation);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = new KnownSymbols(start.Compilation);
            if (known.OperationCanceledException is null)
            {
                return;
            }

            start.RegisterOperationAction(c => AnalyzeTry(c, known), OperationKind.Try);
        });
    }

    private static void AnalyzeTry(OperationAnalysisContext context, KnownSymbols known)
    {
        var tryOperation = (ITryOperation)context.Operation;
        if (tryOperation.Catches.IsEmpty
            || !FunctionContext.Of(tryOperation, context.ContainingSymbol, known).IsCoroutineOrAsync
            || !Awaits(tryOperation.Body))
        {
            return;   // CancelledError reaches a task only at an await; a try without one cannot receive it
        }

        if (AwaitsOnlyTasksItCancelled(tryOperation, known))
        {
            return;   // 'task.Cancel(); try { await task; } catch (CancelledError) { ... }': observing that task's end
        }

        bool cancellationHandledEarlier = false;
        foreach (ICatchClauseOperation clause in tryOperation.Catches)
        {
            if (cancellationHandledEarlier)
            {
                return;   // an earlier clause already took every cancellation
            }

            ITypeSymbol caught = clause.ExceptionType;
            bool specific = IsCancellationType(caught, known);
            bool general = !specific && KnownSymbols.DerivesFrom(known.OperationCanceledException, caught as INamedTypeSymbol);
            if (!specific && !general)
            {
                continue;   // IOException, TaskCanceledException...: never a CancelledError
            }

            if (specific && clause.Filter is not null)
            {
                continue;   // 'catch (OperationCanceledException) when (myToken.IsCancellationRequested)': deliberate
            }

            if (general && clause.Filter is not null && FilterLetsCancellationThrough(clause.Filter, known))
            {
                continue;
            }

            if (specific && clause.Filter is null && KnownSymbols.DerivesFrom(known.CancelledError ?? known.OperationCanceledException, caught as INamedTypeSymbol))
            {
                cancellationHandledEarlier = true;   // this clause takes CancelledError whatever it does with it
            }

            if (Rethrows(clause.Handler) || CallsUncancel(clause.Handler))
            {
                continue;
            }

            var syntax = (CatchClauseSyntax)clause.Syntax;
            int end = syntax.Declaration?.Span.End ?? syntax.CatchKeyword.Span.End;
            Location location = Location.Create(syntax.SyntaxTree, Microsoft.CodeAnalysis.Text.TextSpan.FromBounds(syntax.CatchKeyword.SpanStart, end));
            string shown = syntax.Declaration is null ? "catch" : "catch (" + syntax.Declaration.Type + ")";
            string advice = general
                ? "it also catches CancelledError and does not rethrow it; put 'catch (CancelledError) { throw; }' before it, or add 'when (e is not OperationCanceledException)'"
                : "the task keeps running after it was cancelled; end the catch with 'throw;' (or call Uncancel() if stopping the cancellation is the point)";
            ImmutableDictionary<string, string?> properties = general
                ? ImmutableDictionary<string, string?>.Empty.Add(KindKey, GeneralKind)
                : ImmutableDictionary<string, string?>.Empty;
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.SwallowedCancellation, location, properties, shown, advice));
        }
    }

    /// <summary>CancelledError or OperationCanceledException (or a subclass of CancelledError).</summary>
    private static bool IsCancellationType(ITypeSymbol type, KnownSymbols known) =>
        KnownSymbols.Is(type, known.OperationCanceledException) || KnownSymbols.DerivesFrom(type, known.CancelledError);

    /// <summary>The try body awaits (await, await foreach, await using), outside nested functions.</summary>
    private static bool Awaits(IOperation body)
    {
        foreach (SyntaxNode node in body.Syntax.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax)))
        {
            switch (node)
            {
                case AwaitExpressionSyntax:
                case CommonForEachStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }:
                case UsingStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }:
                case LocalDeclarationStatementSyntax { AwaitKeyword.RawKind: (int)SyntaxKind.AwaitKeyword }:
                    return true;
            }
        }

        return false;
    }

    /// <summary>
    /// asyncio's own idiom: cancel a task, then await it to see it end. Every await of the try body awaits a task or
    /// future (a local, parameter or field) on which this function called Cancel before the try, so the
    /// CancelledError that the catch expects is that task's, not the current one's.
    /// </summary>
    private static bool AwaitsOnlyTasksItCancelled(ITryOperation tryOperation, KnownSymbols known)
    {
        var awaited = new List<ISymbol>();
        foreach (IOperation op in tryOperation.Body.Descendants())
        {
            if (op is IAwaitOperation awaitOperation)
            {
                IOperation operand = awaitOperation.Operation;
                while (operand is IConversionOperation { IsImplicit: true } conversion)
                {
                    operand = conversion.Operand;
                }

                ISymbol? symbol = operand switch
                {
                    ILocalReferenceOperation l => l.Local,
                    IParameterReferenceOperation p => p.Parameter,
                    IFieldReferenceOperation f => f.Field,
                    _ => null,
                };
                if (symbol is null || !KnownSymbols.DerivesFrom(operand.Type, known.AioFuture))
                {
                    return false;
                }

                awaited.Add(symbol);
            }
            else if (op is IForEachLoopOperation { IsAsynchronous: true } or IUsingOperation { IsAsynchronous: true }
                     or IUsingDeclarationOperation { IsAsynchronous: true })
            {
                return false;
            }
        }

        if (awaited.Count == 0)
        {
            return false;
        }

        int tryStart = tryOperation.Syntax.SpanStart;
        var cancelled = new HashSet<ISymbol>(SymbolEqualityComparer.Default);
        foreach (IOperation op in FunctionContext.BodyRoot(tryOperation).Descendants())
        {
            if (op is IInvocationOperation { TargetMethod.Name: "Cancel", Instance: { } instance } call
                && call.Syntax.Span.End <= tryStart
                && KnownSymbols.DerivesFrom(instance.Type, known.AioFuture))
            {
                ISymbol? target = instance switch
                {
                    ILocalReferenceOperation l => l.Local,
                    IParameterReferenceOperation p => p.Parameter,
                    IFieldReferenceOperation f => f.Field,
                    _ => null,
                };
                if (target is not null)
                {
                    cancelled.Add(target);
                }
            }
        }

        return awaited.All(cancelled.Contains);
    }

    /// <summary>The handler throws something somewhere (a rethrow, the caught exception, or another exception).</summary>
    private static bool Rethrows(IOperation handler) =>
        handler.Syntax.DescendantNodesAndSelf(n => n is not (AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax))
            .Any(n => n is ThrowStatementSyntax or ThrowExpressionSyntax);

    /// <summary>asyncio's deliberate way to absorb a cancellation: <c>task.Uncancel()</c>.</summary>
    private static bool CallsUncancel(IOperation handler) =>
        handler.DescendantsAndSelf().Any(o => o is IInvocationOperation { TargetMethod.Name: "Uncancel" });

    /// <summary>
    /// A filter keeps cancellation out when it names OperationCanceledException or CancelledError
    /// (<c>when (e is not OperationCanceledException)</c>), or when it is a positive type test for a type that is not
    /// a base of CancelledError (<c>when (e is IOException)</c>).
    /// </summary>
    private static bool FilterLetsCancellationThrough(IOperation filter, KnownSymbols known)
    {
        foreach (IOperation op in filter.DescendantsAndSelf())
        {
            ITypeSymbol? named = op switch
            {
                IIsTypeOperation isType => isType.TypeOperand,
                ITypePatternOperation type => type.MatchedType,
                IDeclarationPatternOperation declaration => declaration.MatchedType,
                ITypeOfOperation typeOf => typeOf.TypeOperand,
                _ => null,
            };
            if (named is not null && IsCancellationType(named, known))
            {
                return true;
            }
        }

        IOperation top = filter;
        ITypeSymbol? tested = top switch
        {
            IIsTypeOperation { IsNegated: false } isType => isType.TypeOperand,
            IIsPatternOperation { Pattern: ITypePatternOperation type } => type.MatchedType,
            IIsPatternOperation { Pattern: IDeclarationPatternOperation declaration } => declaration.MatchedType,
            _ => null,
        };
        return tested is INamedTypeSymbol testedType
            && !KnownSymbols.DerivesFrom(known.OperationCanceledException, testedType)
            && !KnownSymbols.DerivesFrom(testedType, known.OperationCanceledException);
    }
}
