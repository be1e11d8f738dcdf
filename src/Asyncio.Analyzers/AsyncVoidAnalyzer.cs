using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;

namespace Asyncio.Analyzers;

/// <summary>
/// ASY005: an async void method, local function or lambda. Not reported: event handlers of the
/// (object sender, EventArgs e) shape, and overrides or interface implementations (their signature is not theirs
/// to change).
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class AsyncVoidAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.AsyncVoid);

    /// <inheritdoc/>
    public override void Initialize(AnalysisContext context)
    {
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.EnableConcurrentExecution();
        context.RegisterCompilationStartAction(start =>
        {
            var known = new KnownSymbols(start.Compilation);
            start.RegisterSymbolAction(c => AnalyzeMethod(c, known), SymbolKind.Method);
            start.RegisterOperationAction(c => AnalyzeLocalFunction(c, known), OperationKind.LocalFunction);
            start.RegisterOperationAction(c => AnalyzeLambda(c, known), OperationKind.AnonymousFunction);
        });
    }

    private static void AnalyzeMethod(SymbolAnalysisContext context, KnownSymbols known)
    {
        var method = (IMethodSymbol)context.Symbol;
        if (!IsAsyncVoid(method, known) || method.IsOverride || ImplementsInterfaceMember(method))
        {
            return;
        }

        foreach (Location location in method.Locations)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.AsyncVoid, location, "'" + method.Name + "'"));
        }
    }

    private static void AnalyzeLocalFunction(OperationAnalysisContext context, KnownSymbols known)
    {
        var local = (ILocalFunctionOperation)context.Operation;
        if (IsAsyncVoid(local.Symbol, known) && local.Syntax is LocalFunctionStatementSyntax syntax)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.AsyncVoid, syntax.Identifier.GetLocation(), "'" + local.Symbol.Name + "'"));
        }
    }

    private static void AnalyzeLambda(OperationAnalysisContext context, KnownSymbols known)
    {
        var lambda = (IAnonymousFunctionOperation)context.Operation;
        if (IsAsyncVoid(lambda.Symbol, known) && lambda.Syntax is AnonymousFunctionExpressionSyntax syntax)
        {
            context.ReportDiagnostic(Diagnostic.Create(Descriptors.AsyncVoid, syntax.AsyncKeyword.GetLocation(), "This lambda"));
        }
    }

    private static bool IsAsyncVoid(IMethodSymbol method, KnownSymbols known) =>
        method.IsAsync && method.ReturnsVoid && !IsEventHandlerShape(method, known);

    private static bool IsEventHandlerShape(IMethodSymbol method, KnownSymbols known) =>
        method.Parameters.Length == 2
        && method.Parameters[0].Type.SpecialType == SpecialType.System_Object
        && KnownSymbols.DerivesFrom(method.Parameters[1].Type, known.EventArgs);

    private static bool ImplementsInterfaceMember(IMethodSymbol method)
    {
        if (!method.ExplicitInterfaceImplementations.IsEmpty)
        {
            return true;
        }

        foreach (INamedTypeSymbol iface in method.ContainingType.AllInterfaces)
        {
            foreach (ISymbol member in iface.GetMembers(method.Name))
            {
                if (SymbolEqualityComparer.Default.Equals(method.ContainingType.FindImplementationForInterfaceMember(member), method))
                {
                    return true;
                }
            }
        }

        return false;
    }
}
