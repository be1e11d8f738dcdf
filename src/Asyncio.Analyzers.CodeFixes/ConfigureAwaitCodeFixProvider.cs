using System.Collections.Immutable;
using System.Composition;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;

namespace Asyncio.Analyzers.CodeFixes;

/// <summary>ASY004: <c>x.ConfigureAwait(false)</c> → <c>x</c>.</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(ConfigureAwaitCodeFixProvider)), Shared]
public sealed class ConfigureAwaitCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.ConfigureAwaitId);

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
            SyntaxToken name = root.FindToken(diagnostic.Location.SourceSpan.Start);
            if (name.Parent?.Parent is not MemberAccessExpressionSyntax { Parent: InvocationExpressionSyntax invocation } member)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(
                    "Remove ConfigureAwait",
                    _ => Task.FromResult(context.Document.WithSyntaxRoot(
                        root.ReplaceNode(invocation, member.Expression.WithTriviaFrom(invocation)))),
                    equivalenceKey: "ASY004Remove"),
                diagnostic);
        }
    }
}
