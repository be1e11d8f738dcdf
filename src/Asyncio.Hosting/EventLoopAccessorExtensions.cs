namespace Asyncio.Hosting;

/// <summary>Thread-safe ways onto the hosted loop, for services running on other threads.</summary>
public static class EventLoopAccessorExtensions
{
    /// <summary>The loop, or an exception saying it has not started.</summary>
    /// <exception cref="ArgumentNullException"><paramref name="accessor"/> is null.</exception>
    /// <exception cref="InvalidOperationException">The hosted loop has not started yet.</exception>
    public static EventLoop GetRequiredLoop(this IEventLoopAccessor accessor)
    {
        ArgumentNullException.ThrowIfNull(accessor);
        return accessor.Loop ?? throw new InvalidOperationException(
            "The hosted event loop has not started yet: it starts with the host (IHost.StartAsync). Use it from a hosted service " +
            "registered after AddEventLoop, or once the host has started.");
    }

    /// <summary>
    /// Calls <paramref name="coroutineFunction"/> and runs the coroutine as a task on the hosted loop; the returned
    /// <see cref="Task{TResult}"/> completes with its result (asyncio's <c>run_coroutine_threadsafe</c>). Cancelling
    /// <paramref name="cancellationToken"/> cancels the loop task.
    /// </summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The hosted loop has not started yet, or is closed.</exception>
    public static Task<T> RunCoroutineThreadSafe<T>(this IEventLoopAccessor accessor, Func<Coroutine<T>> coroutineFunction,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coroutineFunction);
        EventLoop loop = accessor.GetRequiredLoop();
        return Aio.RunCoroutineThreadSafe(coroutineFunction(), loop, cancellationToken);
    }

    /// <summary>Runs the coroutine <paramref name="coroutineFunction"/> returns as a task on the hosted loop; see <see cref="RunCoroutineThreadSafe{T}"/>.</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The hosted loop has not started yet, or is closed.</exception>
    public static Task RunCoroutineThreadSafe(this IEventLoopAccessor accessor, Func<Coroutine> coroutineFunction,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(coroutineFunction);
        EventLoop loop = accessor.GetRequiredLoop();
        return Aio.RunCoroutineThreadSafe(coroutineFunction(), loop, cancellationToken);
    }

    /// <summary>Schedules <paramref name="callback"/> on the hosted loop from any thread (asyncio's <c>call_soon_threadsafe</c>).</summary>
    /// <exception cref="ArgumentNullException">An argument is null.</exception>
    /// <exception cref="InvalidOperationException">The hosted loop has not started yet, or is closed.</exception>
    public static Handle CallSoonThreadSafe(this IEventLoopAccessor accessor, Action callback)
    {
        ArgumentNullException.ThrowIfNull(callback);
        return accessor.GetRequiredLoop().CallSoonThreadSafe(callback);
    }
}
