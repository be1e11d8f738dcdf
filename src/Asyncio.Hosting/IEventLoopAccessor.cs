namespace Asyncio.Hosting;

/// <summary>
/// The hosted event loop, for other services: schedule work onto it from any thread with
/// <see cref="EventLoop.CallSoonThreadSafe(Action)"/> or <see cref="Aio.RunCoroutineThreadSafe{T}(Coroutine{T}, EventLoop, CancellationToken)"/>
/// (see also <see cref="EventLoopAccessorExtensions"/>). Registered as a singleton by <c>AddEventLoop</c>.
/// </summary>
public interface IEventLoopAccessor
{
    /// <summary>
    /// The loop: null until the hosted service has started it (hosted services registered after <c>AddEventLoop</c>
    /// see it in their <c>StartAsync</c>); still the same, closed, loop once the host stopped.
    /// </summary>
    EventLoop? Loop { get; }

    /// <summary>The managed thread id of the loop's thread, or 0 before it started.</summary>
    int LoopThreadId { get; }
}
