using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Asyncio.Analyzers.CodeFixes;

/// <summary>ASY002: <c>_ = F();</c> (or <c>F();</c>) in an async function → <c>await F();</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(UnobservedCoroutineCodeFixProvider)), Shared]
public sealed class UnobservedCoroutineCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.UnobservedCoroutineId);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        SemanticModel? model = await context.Document.GetSemanticModelAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null || model is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call
                || !FixHelpers.CanAwaitAt(call, model, context.CancellationToken))
            {
                continue;
            }

            // The statement that drops the value: '_ = F();' or 'F();'.
            ExpressionStatementSyntax? statement = call.Parent switch
            {
                AssignmentExpressionSyntax { Left: IdentifierNameSyntax { Identifier.ValueText: "_" }, Parent: ExpressionStatementSyntax s } => s,
                ExpressionStatementSyntax s => s,
                _ => null,
            };
            if (statement is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Await it",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(root.ReplaceNode(
                        statement,
                        statement.WithExpression(SyntaxFactory.AwaitExpression(call.WithoutTrivia())
                            .WithTriviaFrom(statement.Expression))))),
                    equivalenceKey: "ASY002Await"),
                diagnostic);
        }
    }
}
