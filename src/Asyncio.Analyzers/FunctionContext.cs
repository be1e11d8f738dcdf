using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Asyncio.Analyzers;

/// <summary>
/// The innermost function (method, accessor, local function, lambda or anonymous method) that holds an operation,
/// and what kind of function it is. A lambda inside a coroutine is its own function: code in
/// <c>Aio.ToThread(() => File.ReadAllText(p))</c> runs on a pool thread, not in the coroutine.
/// </summary>
internal readonly struct FunctionContext
{
    private FunctionContext(IMethodSymbol? symbol, IOperation? anonymousFunction, bool isCoroutine, bool isLoopLambda)
    {
        Symbol = symbol;
        AnonymousFunction = anonymousFunction;
        IsCoroutine = isCoroutine;
        IsLoopLambda = isLoopLambda;
    }

    /// <summary>The function, or null outside any (a field initializer) and in top-level statements.</summary>
    public IMethodSymbol? Symbol { get; }

    /// <summary>The lambda or anonymous method operation when the function is one.</summary>
    public IOperation? AnonymousFunction { get; }

    /// <summary>The function returns <c>Coroutine</c> or <c>Coroutine&lt;T&gt;</c> (async or not).</summary>
    public bool IsCoroutine { get; }

    /// <summary>
    /// An async lambda handed straight to an Asyncio method that runs it on the loop (<c>Aio.Run</c>,
    /// <c>Aio.CreateTask</c>, <c>TaskGroup.RunAsync</c>, ...), whatever it returns.
    /// </summary>
    public bool IsLoopLambda { get; }

    /// <summary>The function is declared <c>async</c>.</summary>
    public bool IsAsync => Symbol?.IsAsync == true;

    /// <summary>A coroutine or an async function: the "coroutine context" of ASY001 and ASY003.</summary>
    public bool IsCoroutineOrAsync => IsCoroutine || IsAsync;

    /// <summary>Code that certainly runs on the loop thread: a coroutine or a loop lambda (ASY004, ASY006).</summary>
    public bool RunsOnLoop => IsCoroutine || IsLoopLambda;

    public static FunctionContext Of(IOperation operation, ISymbol containingSymbol, KnownSymbols known)
    {
        for (IOperation? p = operation.Parent; p is not null; p = p.Parent)
        {
            switch (p)
            {
                case IAnonymousFunctionOperation lambda:
                    return new FunctionContext(
                        lambda.Symbol, lambda, known.IsCoroutine(lambda.Symbol.ReturnType),
                        lambda.Symbol.IsAsync && IsArgumentOfLoopMethod(lambda, known));
                case ILocalFunctionOperation local:
                    return new FunctionContext(local.Symbol, null, known.IsCoroutine(local.Symbol.ReturnType), false);
            }
        }

        if (containingSymbol is IMethodSymbol method && !IsTopLevelMain(method))
        {
            return new FunctionContext(method, null, known.IsCoroutine(method.ReturnType), false);
        }

        return default;
    }

    /// <summary>The operation tree of the function's body: the lambda, or the root of the member's tree.</summary>
    public static IOperation BodyRoot(IOperation operation)
    {
        IOperation current = operation;
        while (current.Parent is not null)
        {
            if (current.Parent is IAnonymousFunctionOperation or ILocalFunctionOperation)
            {
                return current.Parent;
            }

            current = current.Parent;
        }

        return current;
    }

    // Top-level statements become "<Main>$": they run before any loop does (Aio.Run is called from them), so
    // they are no coroutine context even when they await.
    private static bool IsTopLevelMain(IMethodSymbol method) =>
        method.Name == WellKnownMemberNames.TopLevelStatementsEntryPointMethodName;

    private static bool IsArgumentOfLoopMethod(IAnonymousFunctionOperation lambda, KnownSymbols known)
    {
        IOperation? p = lambda.Parent;
        while (p is IDelegateCreationOperation or IConversionOperation)
        {
            p = p.Parent;
        }

        if (p is not IArgumentOperation { Parent: IInvocationOperation invocation })
        {
            return false;
        }

        IMethodSymbol target = invocation.TargetMethod;
        if (target.ContainingNamespace?.ToDisplayString() != "Asyncio" || known.Coroutine is null)
        {
            return false;
        }

        // These run their delegate on the thread pool, not on the loop.
        return target.Name is not ("ToThread" or "RunInExecutor" or "RunCoroutineThreadSafe");
    }
}
