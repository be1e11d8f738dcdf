namespace Asyncio;

/// <summary>
/// Something the combinators (<see cref="Aio.Gather(IAioAwaitable[])"/>, <see cref="Aio.Shield(IAioAwaitable)"/>, ...) accept:
/// a <see cref="Coroutine"/> (scheduled as a task), an <see cref="AioTask"/> or a future (used as is). Implemented by
/// the library's types only; wrap a .NET <see cref="Task"/> with <see cref="Aio.WrapFuture(Task)"/>.
/// </summary>
public interface IAioAwaitable
{
    /// <summary>asyncio's <c>ensure_future</c>: the future to wait on, scheduling a coroutine as a task.</summary>
    internal AioFuture ToFuture(EventLoop loop);

    /// <summary>
    /// What makes two arguments the same awaitable (asyncio's gather and as_completed deduplicate their arguments
    /// by identity): the object itself, or a coroutine's frame and version (a coroutine is a struct, boxed anew each time).
    /// A value pair, so that reading it allocates nothing.
    /// </summary>
    internal (object Owner, int Version) IdentityKey => (this, 0);
}

/// <summary>An <see cref="IAioAwaitable"/> whose outcome is a <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The result type.</typeparam>
public interface IAioAwaitable<out T> : IAioAwaitable
{
}

/// <summary>A future whose result can be read as a <typeparamref name="T"/> once it is done.</summary>
internal interface IResultSource<out T>
{
    T ResultAfterDone();
}

/// <summary>Reads results of futures made by <see cref="IAioAwaitable.ToFuture"/>.</summary>
internal static class FutureResults
{
    public static T Get<T>(AioFuture future) => future is IResultSource<T> source
        ? source.ResultAfterDone()
        : throw new InvalidOperationException($"{future.Describe()} does not produce a {typeof(T).Name}.");

    /// <summary>The result boxed (null for a coroutine without result), or the exception it throws.</summary>
    public static object? Boxed(AioFuture future)
    {
        future.ThrowIfNotSucceeded();
        return future.BoxedResult();
    }

    /// <summary>asyncio's <c>ensure_future</c> for a combinator argument, checking the loop.</summary>
    public static AioFuture Ensure(IAioAwaitable awaitable, EventLoop loop, string member)
    {
        ArgumentNullException.ThrowIfNull(awaitable, member);
        AioFuture future = awaitable.ToFuture(loop);
        if (!ReferenceEquals(future._loop, loop))
        {
            throw new InvalidOperationException(
                $"{member}: {future.Describe()} belongs to another event loop than the running one. Combine only futures and tasks of one loop.");
        }

        return future;
    }
}
