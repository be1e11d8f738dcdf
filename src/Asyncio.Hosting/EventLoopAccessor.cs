namespace Asyncio.Hosting;

/// <summary>The <see cref="IEventLoopAccessor"/> the hosted service fills in.</summary>
internal sealed class EventLoopAccessor : IEventLoopAccessor
{
    private EventLoop? _loop;
    private int _threadId;

    public EventLoop? Loop => Volatile.Read(ref _loop);

    public int LoopThreadId => Volatile.Read(ref _threadId);

    public void Set(EventLoop loop, int threadId)
    {
        Volatile.Write(ref _threadId, threadId);
        Volatile.Write(ref _loop, loop);
    }
}
