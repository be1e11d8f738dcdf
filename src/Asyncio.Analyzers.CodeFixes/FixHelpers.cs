using System.Globalization;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Editing;
using Microsoft.CodeAnalysis.Formatting;
using Microsoft.CodeAnalysis.Simplification;

namespace Asyncio.Analyzers.CodeFixes;

/// <summary>Rewrites shared by the code fixes.</summary>
internal static class FixHelpers
{
    /// <summary>
    /// True when an <c>await</c> can replace <paramref name="node"/>: the innermost function is async, and the node is
    /// not inside a lock statement or a query clause (where C# forbids await).
    /// </summary>
    public static bool CanAwaitAt(SyntaxNode node, SemanticModel model, CancellationToken cancellationToken)
    {
        if (model.GetEnclosingSymbol(node.SpanStart, cancellationToken) is not IMethodSymbol { IsAsync: true })
        {
            return false;
        }

        foreach (SyntaxNode ancestor in node.Ancestors())
        {
            switch (ancestor)
            {
                case AnonymousFunctionExpressionSyntax or LocalFunctionStatementSyntax or BaseMethodDeclarationSyntax:
                    return true;
                case LockStatementSyntax or QueryExpressionSyntax:
                    return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Adds the usings that annotated type names need and shortens them (<c>global::Asyncio.Aio</c> becomes
    /// <c>Aio</c> with <c>using Asyncio;</c>), then formats what asked for it.
    /// </summary>
    public static async Task<Document> CleanUpAsync(Document document, CancellationToken cancellationToken)
    {
        document = await ImportAdder.AddImportsAsync(document, Simplifier.AddImportsAnnotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        document = await Simplifier.ReduceAsync(document, Simplifier.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
        return await Formatter.FormatAsync(document, Formatter.Annotation, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    /// <summary>A reference to a type that simplifies to its short name and adds the using if needed.</summary>
    public static ExpressionSyntax TypeName(SyntaxGenerator generator, Compilation compilation, string metadataName, string fallback)
    {
        INamedTypeSymbol? type = compilation.GetTypeByMetadataName(metadataName);
        return type is null
            ? SyntaxFactory.ParseExpression(fallback)
            : ((ExpressionSyntax)generator.TypeExpression(type, addImport: true)).WithAdditionalAnnotations(Simplifier.AddImportsAnnotation);
    }

    /// <summary><c>Type.Member</c> for a type made by <see cref="TypeName"/>, marked for the import adder.</summary>
    public static MemberAccessExpressionSyntax Member(ExpressionSyntax type, string member) =>
        SyntaxFactory.MemberAccessExpression(SyntaxKind.SimpleMemberAccessExpression, type, SyntaxFactory.IdentifierName(member))
            .WithAdditionalAnnotations(Simplifier.AddImportsAnnotation);

    /// <summary><c>await expression</c>, in parentheses that the simplifier drops where they are not needed.</summary>
    public static ExpressionSyntax Await(ExpressionSyntax expression) =>
        SyntaxFactory.ParenthesizedExpression(SyntaxFactory.AwaitExpression(expression.WithoutTrivia()))
            .WithAdditionalAnnotations(Simplifier.Annotation);

    /// <summary>
    /// The argument of Aio.Sleep for a delay given to Thread.Sleep or Task.Delay: a TimeSpan as it is, a constant
    /// number of milliseconds as seconds (<c>250</c> becomes <c>0.25</c>), any other milliseconds as
    /// <c>TimeSpan.FromMilliseconds(ms)</c>.
    /// </summary>
    public static ExpressionSyntax SleepArgument(
        ExpressionSyntax delay, SemanticModel model, SyntaxGenerator generator, CancellationToken cancellationToken)
    {
        TypeInfo info = model.GetTypeInfo(delay, cancellationToken);
        if (info.Type?.SpecialType is not (SpecialType.System_Int32 or SpecialType.System_Int64))
        {
            return delay.WithoutTrivia();
        }

        Optional<object?> constant = model.GetConstantValue(delay, cancellationToken);
        if (constant.HasValue && constant.Value is int or long)
        {
            decimal seconds = System.Convert.ToDecimal(constant.Value, CultureInfo.InvariantCulture) / 1000m;
            string text = seconds.ToString("0.###", CultureInfo.InvariantCulture);
            return SyntaxFactory.ParseExpression(text);
        }

        ExpressionSyntax timeSpan = TypeName(generator, model.Compilation, "System.TimeSpan", "System.TimeSpan");
        return SyntaxFactory.InvocationExpression(
            Member(timeSpan, "FromMilliseconds"),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(delay.WithoutTrivia()))));
    }

    /// <summary><c>await Aio.Sleep(argument)</c>.</summary>
    public static ExpressionSyntax AwaitAioSleep(ExpressionSyntax argument, SyntaxGenerator generator, Compilation compilation) =>
        Await(AioCall("Sleep", argument, generator, compilation));

    /// <summary><c>Aio.Name(argument)</c>.</summary>
    public static InvocationExpressionSyntax AioCall(string name, ExpressionSyntax argument, SyntaxGenerator generator, Compilation compilation) =>
        SyntaxFactory.InvocationExpression(
            Member(TypeName(generator, compilation, "Asyncio.Aio", "Asyncio.Aio"), name),
            SyntaxFactory.ArgumentList(SyntaxFactory.SingletonSeparatedList(SyntaxFactory.Argument(argument))));

    /// <summary>
    /// A call can move into a lambda for Aio.ToThread only if the lambda may capture what it uses: no ref, out or in
    /// arguments and no ref struct (Span) values.
    /// </summary>
    public static bool CanCapture(ExpressionSyntax expression, SemanticModel model, CancellationToken cancellationToken)
    {
        foreach (SyntaxNode node in expression.DescendantNodesAndSelf())
        {
            if (node is ArgumentSyntax { RefKindKeyword.RawKind: not 0 })
            {
                return false;
            }

            if (node is ExpressionSyntax e && model.GetTypeInfo(e, cancellationToken).Type is { IsRefLikeType: true })
            {
                return false;
            }
        }

        return !expression.DescendantNodes().OfType<StackAllocArrayCreationExpressionSyntax>().Any();
    }
}
