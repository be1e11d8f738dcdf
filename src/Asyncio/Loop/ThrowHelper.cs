namespace Asyncio;

/// <summary>Builds the exceptions of the hot paths, so those stay small. Each message says what to do instead.</summary>
internal static class ThrowHelper
{
    public static InvalidOperationException LoopClosed(string member) =>
        new($"{member} was called on a closed event loop. Create a new EventLoop (or use Aio.Run) to run more work.");

    public static InvalidOperationException WrongThread(string member, int ownerThread) =>
        new($"{member} was called on thread {Environment.CurrentManagedThreadId}, but this loop runs on thread {ownerThread}. " +
            "Use CallSoonThreadSafe (or Aio.RunCoroutineThreadSafe) to schedule work from another thread.");

    public static InvalidOperationException NoRunningLoop(string member) =>
        new($"{member} needs a running event loop on this thread, and there is none. Call it from a coroutine running on a loop " +
            "(inside Aio.Run or loop.RunUntilComplete), or use the EventLoop's own method.");

    public static InvalidOperationException OtherLoop(string what, EventLoop owner, EventLoop current) =>
        new($"{what} belongs to {owner}, but it was used from {current}. Cross-loop work goes through CallSoonThreadSafe or Aio.RunCoroutineThreadSafe.");
}
