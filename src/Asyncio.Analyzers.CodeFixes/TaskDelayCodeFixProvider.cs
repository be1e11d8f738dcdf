using System.Collections.Immutable;
using System.Composition;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CodeActions;
using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;

namespace Asyncio.Analyzers.CodeFixes;

/// <summary>ASY006: <c>await Task.Delay(d)</c> → <c>await Aio.Sleep(d)</c> (milliseconds converted).</summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(TaskDelayCodeFixProvider)), Shared]
public sealed class TaskDelayCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.TaskDelayId);

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
            if (!diagnostic.Properties.ContainsKey(TaskDelayAnalyzer.FixableKey)
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not InvocationExpressionSyntax call
                || call.ArgumentList.Arguments.Count == 0)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create("Use Aio.Sleep", c => FixAsync(context.Document, call, c), equivalenceKey: "ASY006AioSleep"),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, InvocationExpressionSyntax call, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        ExpressionSyntax delay = call.ArgumentList.Arguments[0].Expression;
        ExpressionSyntax argument = FixHelpers.SleepArgument(delay, editor.SemanticModel, editor.Generator, cancellationToken);
        editor.ReplaceNode(call, FixHelpers.AioCall("Sleep", argument, editor.Generator, editor.SemanticModel.Compilation).WithTriviaFrom(call));
        return await FixHelpers.CleanUpAsync(editor.GetChangedDocument(), cancellationToken).ConfigureAwait(false);
    }
}
