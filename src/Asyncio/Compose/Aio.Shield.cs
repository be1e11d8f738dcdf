namespace Asyncio;

public static partial class Aio
{
    /// <summary>
    /// Protects an awaitable from cancellation (asyncio's <c>shield</c>): returns an outer future that mirrors it.
    /// Cancelling the outer future (or the task awaiting it) leaves the inner work running; the awaiting task still
    /// gets <see cref="CancelledError"/>. If the inner work is cancelled, the outer future is too.
    /// </summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitable"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static Future<T> Shield<T>(IAioAwaitable<T> awaitable)
    {
        EventLoop loop = RunningLoop(nameof(Shield));
        AioFuture inner = FutureResults.Ensure(awaitable, loop, "Aio.Shield");
        return ShieldCore(loop, inner, FutureResults.Get<T>);
    }

    /// <summary>Protects a coroutine from cancellation; see <see cref="Shield{T}(IAioAwaitable{T})"/>.</summary>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or the coroutine was already used.</exception>
    public static Future<T> Shield<T>(Coroutine<T> coroutine) => Shield((IAioAwaitable<T>)coroutine);

    /// <summary>Protects an awaitable without a result from cancellation; see <see cref="Shield{T}(IAioAwaitable{T})"/>.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="awaitable"/> is null.</exception>
    /// <exception cref="InvalidOperationException">No loop is running on this thread, or a coroutine was already used.</exception>
    public static AioFuture Shield(IAioAwaitable awaitable)
    {
        EventLoop loop = RunningLoop(nameof(Shield));
        AioFuture inner = FutureResults.Ensure(awaitable, loop, "Aio.Shield");
        return ShieldCore(loop, inner, FutureResults.Boxed);
    }

    private static Future<T> ShieldCore<T>(EventLoop loop, AioFuture inner, Func<AioFuture, T> result)
    {
        var outer = loop.CreateFuture<T>();
        var link = new ShieldLink<T>(inner, outer, result);
        if (inner.IsDone)
        {
            link.CopyInner();
            return outer;
        }

        inner.AddInternalCallback(ShieldLink<T>.InnerDone, link);
        outer.AddInternalCallback(ShieldLink<T>.OuterDone, link);
        return outer;
    }

    private sealed class ShieldLink<T>(AioFuture inner, Future<T> outer, Func<AioFuture, T> result) : IAwaiterLink
    {
        public AioFuture? AwaiterOf(AioFuture awaited) => ReferenceEquals(awaited, inner) ? outer : null;

        public static readonly Action<object?> InnerDone = static s => ((ShieldLink<T>)s!).CopyInner();

        public static readonly Action<object?> OuterDone = static s => ((ShieldLink<T>)s!).Detach();

        public void CopyInner()
        {
            if (outer.IsCancelled)
            {
                inner._flags |= FutureFlags.Retrieved;   // nobody waits for it any more
                return;
            }

            if (outer.IsDone)
            {
                return;
            }

            if (inner.IsCancelled)
            {
                outer.Cancel();
            }
            else if (inner.IsFaulted)
            {
                inner._flags |= FutureFlags.Retrieved;
                outer.TrySetException((Exception)inner._outcome!);
            }
            else
            {
                outer.TrySetResult(result(inner));
            }
        }

        private void Detach()
        {
            if (!inner.IsDone)
            {
                inner.RemoveInternalCallback(InnerDone, this);   // as asyncio: an error of the inner work is then nobody's
            }
        }
    }
}
