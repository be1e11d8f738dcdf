namespace Asyncio.Hosting;

/// <summary>The registered main coroutine: a factory called on the loop thread with a service scope's provider.</summary>
internal sealed class EventLoopMainRegistration(Func<IServiceProvider, CancellationToken, Coroutine> create, string name)
{
    public Func<IServiceProvider, CancellationToken, Coroutine> Create { get; } = create;

    /// <summary>The main task's name: the main type's name, or "main".</summary>
    public string Name { get; } = name;
}
