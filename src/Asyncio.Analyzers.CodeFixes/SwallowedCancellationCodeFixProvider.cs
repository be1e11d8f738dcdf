using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Asyncio.Analyzers.CodeFixes;

/// <summary>ASY003: inserts <c>catch (CancelledError) { throw; }</c> before a general catch.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(SwallowedCancellationCodeFixProvider)), Shared]
public sealed class SwallowedCancellationCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.SwallowedCancellationId);

    /// <inheritdoc/>
    public override FixAllProvider GetFixAllProvider() => WellKnownFixAllProviders.BatchFixer;

    /// <inheritdoc/>
    public override async Task RegisterCodeFixesAsync(CodeFixContext context)
    {
        SyntaxNode? root = await context.Document.GetSyntaxRootAsync(context.CancellationToken).ConfigureAwait(false);
        if (root is null)
        {
            return;
        }

        foreach (Diagnostic diagnostic in context.Diagnostics)
        {
            if (!diagnostic.Properties.TryGetValue(SwallowedCancellationAnalyzer.KindKey, out string? kind)
                || kind != SwallowedCancellationAnalyzer.GeneralKind
                || root.FindToken(diagnostic.Location.SourceSpan.Start).Parent is not CatchClauseSyntax clause)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Let CancelledError through: add 'catch (CancelledError) { throw; }' before this catch",
                    c => FixAsync(context.Document, clause, c),
                    equivalenceKey: "ASY003RethrowCancelledError"),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, CatchClauseSyntax clause, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        ExpressionSyntax cancelledError = FixHelpers.TypeName(editor.Generator, editor.SemanticModel.Compilation, "Asyncio.CancelledError", "Asyncio.CancelledError");
        CatchClauseSyntax rethrow = SyntaxFactory.CatchClause(
                SyntaxFactory.CatchDeclaration((TypeSyntax)cancelledError).WithAdditionalAnnotations(Simplifier.AddImportsAnnotation),
                filter: null,
                SyntaxFactory.Block(SyntaxFactory.ThrowStatement()))
            .WithAdditionalAnnotations(Formatter.Annotation);
        editor.InsertBefore(clause, rethrow);
        return await FixHelpers.CleanUpAsync(editor.GetChangedDocument(), cancellationToken).ConfigureAwait(false);
    }
}
