namespace Asyncio;

/// <summary>
/// A continuation of plain .NET async code that runs as part of a <c>Func&lt;Task&gt;</c> task: the task is current
/// while it runs. Doubles as a timer target for <c>Aio.Sleep</c> awaited by such code.
/// </summary>
internal sealed class TaskBoundContinuation(AioTask task, Action continuation) : ITimerTarget
{
    public static readonly Action<object?> RunCallback = static s => ((TaskBoundContinuation)s!).Run();

    public void Run() => RunAs(task, continuation);

    /// <summary>Runs <paramref name="action"/> with <paramref name="owner"/> as the loop's current task.</summary>
    public static void RunAs(AioTask owner, Action action)
    {
        EventLoop loop = owner._loop!;
        AioTask? previous = loop._currentTask;
        loop._currentTask = owner;
        try
        {
            action();
        }
        finally
        {
            loop._currentTask = previous;
        }
    }

    bool ITimerTarget.IsTimerLive(long seq) => true;

    void ITimerTarget.OnTimer(EventLoop loop, long seq)
    {
        loop._loopDrivenForeign--;
        loop.EnqueueReady(RunCallback, this);
    }
}
