using System.Collections.Immutable;
using System.Linq;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Operations;
using Microsoft.CodeAnalysis.Text;

namespace Asyncio.Analyzers;

/// <summary>
/// ASY004: <c>ConfigureAwait(false)</c> (or <c>ConfigureAwait(ConfigureAwaitOptions.None)</c>) in code the loop runs:
/// a coroutine, where it does nothing, or an async lambda handed to Aio.Run/Aio.CreateTask, where it moves the rest
/// of the lambda off the loop thread.
/// </summary>
[DiagnosticAnalyzer(Microsoft.CodeAnalysis.LanguageNames.CSharp)]
public sealed class ConfigureAwaitAnalyzer : DiagnosticAnalyzer
{
    /// <inheritdoc/>
    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Descriptors.ConfigureAwait);

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
                return;
            }

            start.RegisterOperationAction(c => AnalyzeInvocation(c, known), OperationKind.Invocation);
        });
    }

    private static void AnalyzeInvocation(OperationAnalysisContext context, KnownSymbols known)
    {
        var invocation = (IInvocationOperation)context.Operation;
        if (invocation.TargetMethod.Name != "ConfigureAwait" || invocation.Arguments.Length == 0
            || !DoesNotContinueOnContext(invocation))
        {
            return;
        }

        FunctionContext function = FunctionContext.Of(invocation, context.ContainingSymbol, known);
        if (!function.RunsOnLoop)
        {
            return;
        }

        if (invocation.Syntax is not InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax member } syntax)
        {
            return;
        }

        // From the method name to the closing parenthesis: "ConfigureAwait(false)".
        var span = TextSpan.FromBounds(member.Name.SpanStart, syntax.Span.End);
        string shown = "ConfigureAwait(" + syntax.ArgumentList.Arguments[0] + ")";
        string reason = function.IsCoroutine
            ? "does nothing in a coroutine: the loop runs every step of a coroutine on its own thread; remove it"
            : "moves the rest of this lambda off the loop thread, although the loop runs it; remove it";
        context.ReportDiagnostic(Diagnostic.Create(Descriptors.ConfigureAwait, Location.Create(syntax.SyntaxTree, span), shown, reason));
    }

    /// <summary><c>false</c>, or the ConfigureAwaitOptions value <c>None</c> (nothing else, so removing it changes nothing).</summary>
    private static bool DoesNotContinueOnContext(IInvocationOperation invocation)
    {
        // The option is the only argument of Task.ConfigureAwait, but the second of the extension methods for
        // IAsyncEnumerable and IAsyncDisposable (the first is the receiver).
        IArgumentOperation? option = invocation.Arguments.FirstOrDefault(a =>
            a.Parameter?.Type is { SpecialType: SpecialType.System_Boolean } or { TypeKind: TypeKind.Enum, Name: "ConfigureAwaitOptions" });
        if (option is null)
        {
            return false;
        }

        IOperation value = option.Value;
        while (value is IConversionOperation { IsImplicit: true } conversion)
        {
            value = conversion.Operand;
        }

        if (value.Type?.SpecialType == SpecialType.System_Boolean)
        {
            return value.ConstantValue is { HasValue: true, Value: false };
        }

        return value.Type is INamedTypeSymbol { TypeKind: TypeKind.Enum, Name: "ConfigureAwaitOptions" }
            && value.ConstantValue is { HasValue: true, Value: int options } && options == 0;
    }
}
