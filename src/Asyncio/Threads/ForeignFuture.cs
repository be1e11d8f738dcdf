namespace Asyncio;

/// <summary>Chains a foreign .NET task into a loop future (asyncio's <c>wrap_future</c>).</summary>
internal sealed class ForeignFuture<T>
{
    private readonly EventLoop _loop;
    private readonly Future<T> _future;
    private readonly Task _task;
    private readonly Func<Task, T> _getResult;
    private bool _holdReleased;

    private ForeignFuture(EventLoop loop, Future<T> future, Task task, Func<Task, T> getResult)
    {
        _loop = loop;
        _future = future;
        _task = task;
        _getResult = getResult;
    }

    public static Future<T> Wrap(EventLoop loop, Task task, Func<Task, T> getResult)
    {
        var future = loop.CreateFuture<T>();
        var chain = new ForeignFuture<T>(loop, future, task, getResult);
        if (task.IsCompleted)
        {
            chain.CopyOutcome();
            return future;
        }

        // The foreign work runs outside the loop: virtual time waits for it (until nobody waits for it any more).
        loop.BeginOffLoopWork();
        future.AddInternalCallback(static s => ((ForeignFuture<T>)s!).ReleaseHold(), chain);
        task.ConfigureAwait(false).GetAwaiter().UnsafeOnCompleted(() =>
            loop.TryPost(static s => ((ForeignFuture<T>)s!).OnTaskDone(), chain));
        return future;
    }

    private void ReleaseHold()
    {
        if (!_holdReleased)
        {
            _holdReleased = true;
            _loop.EndOffLoopWork();
        }
    }

    private void OnTaskDone()
    {
        ReleaseHold();
        CopyOutcome();
    }

    private void CopyOutcome()
    {
        if (_future.IsDone)
        {
            return;   // cancelled while the foreign work ran: its outcome goes nowhere
        }

        try
        {
            _future.TrySetResult(_getResult(_task));
        }
        catch (Exception e)
        {
            _future.TrySetException(e);
        }
    }
}
