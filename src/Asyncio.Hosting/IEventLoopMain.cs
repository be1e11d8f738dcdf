namespace Asyncio.Hosting;

/// <summary>
/// The main coroutine of a hosted event loop (what <c>main()</c> is to <c>asyncio.run</c>); register it with
/// <see cref="EventLoopServiceCollectionExtensions.AddEventLoopMain{TMain}(Microsoft.Extensions.DependencyInjection.IServiceCollection)"/>.
/// It is resolved from a service scope that lives as long as it runs, and created on the loop thread.
/// </summary>
public interface IEventLoopMain
{
    /// <summary>
    /// Runs as the loop's main task. When the host stops, the task is cancelled (a <see cref="CancelledError"/> at its
    /// current await) and <paramref name="stoppingToken"/> fires, for awaits of foreign .NET tasks.
    /// </summary>
    Coroutine RunAsync(CancellationToken stoppingToken);
}
