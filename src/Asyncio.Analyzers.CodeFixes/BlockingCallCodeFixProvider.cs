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
using Microsoft.CodeAnalysis.Simplification;

namespace Asyncio.Analyzers.CodeFixes;

/// <summary>
/// ASY001: <c>Thread.Sleep(x)</c> → <c>await Aio.Sleep(...)</c>; <c>t.Wait()</c>, <c>t.Result</c> and
/// <c>t.GetAwaiter().GetResult()</c> → <c>await t</c>; any other blocking call → <c>await Aio.ToThread(() =&gt; call)</c>.
/// Offered only where await is allowed (an async function, outside lock and query clauses).
/// </summary>
[ExportCodeFixProvider(LanguageNames.CSharp, Name = nameof(BlockingCallCodeFixProvider)), Shared]
public sealed class BlockingCallCodeFixProvider : CodeFixProvider
{
    /// <inheritdoc/>
    public override ImmutableArray<string> FixableDiagnosticIds { get; } = ImmutableArray.Create(Descriptors.BlockingCallId);

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
            if (!diagnostic.Properties.TryGetValue(BlockingCallAnalyzer.FixKey, out string? fix)
                || root.FindNode(diagnostic.Location.SourceSpan, getInnermostNodeForTie: true) is not ExpressionSyntax node
                || !FixHelpers.CanAwaitAt(node, model, context.CancellationToken))
            {
                continue;
            }

            string? title = fix switch
            {
                BlockingCallAnalyzer.FixSleep when node is InvocationExpressionSyntax { ArgumentList.Arguments.Count: 1 } => "Use await Aio.Sleep",
                BlockingCallAnalyzer.FixAwait when TaskOf(node) is not null => "Await the task",
                BlockingCallAnalyzer.FixToThread when FixHelpers.CanCapture(node, model, context.CancellationToken) => "Run it on a thread with await Aio.ToThread",
                _ => null,
            };
            if (title is null)
            {
                continue;
            }

            context.RegisterCodeFix(
                CodeAction.Create(title, c => FixAsync(context.Document, node, fix!, c), equivalenceKey: "ASY001" + fix),
                diagnostic);
        }
    }

    private static async Task<Document> FixAsync(Document document, ExpressionSyntax node, string fix, CancellationToken cancellationToken)
    {
        DocumentEditor editor = await DocumentEditor.CreateAsync(document, cancellationToken).ConfigureAwait(false);
        SemanticModel model = editor.SemanticModel;
        SyntaxGenerator generator = editor.Generator;
        ExpressionSyntax replacement = fix switch
        {
            BlockingCallAnalyzer.FixSleep => FixHelpers.AwaitAioSleep(
                FixHelpers.SleepArgument(((InvocationExpressionSyntax)node).ArgumentList.Arguments[0].Expression, model, generator, cancellationToken),
                generator, model.Compilation),
            BlockingCallAnalyzer.FixAwait => FixHelpers.Await(TaskOf(node)!),
            _ => FixHelpers.Await(FixHelpers.AioCall(
                "ToThread",
                SyntaxFactory.ParenthesizedLambdaExpression(node.WithoutTrivia()),
                generator, model.Compilation)),
        };
        editor.ReplaceNode(node, replacement.WithTriviaFrom(node));
        return await FixHelpers.CleanUpAsync(editor.GetChangedDocument(), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>The task expression of <c>t.Wait()</c>, <c>t.Result</c> or <c>t.GetAwaiter().GetResult()</c>.</summary>
    private static ExpressionSyntax? TaskOf(ExpressionSyntax node) => node switch
    {
        MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Result" } result => result.Expression,
        InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "Wait" } wait } => wait.Expression,
        InvocationExpressionSyntax
        {
            Expression: MemberAccessExpressionSyntax
            {
                Name.Identifier.ValueText: "GetResult",
                Expression: InvocationExpressionSyntax { Expression: MemberAccessExpressionSyntax { Name.Identifier.ValueText: "GetAwaiter" } getAwaiter },
            },
        } => getAwaiter.Expression,
        _ => null,
    };
}
