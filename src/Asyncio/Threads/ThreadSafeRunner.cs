namespace Asyncio;

/// <summary>Runs a coroutine on a loop for another thread and mirrors its outcome into a <see cref="Task{TResult}"/>.</summary>
internal sealed class ThreadSafeRunner<T>
{
    private readonly EventLoop _loop;
    private readonly CoroutineFrame<T> _frame;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;

    private ThreadSafeRunner(EventLoop loop, CoroutineFrame<T> frame)
    {
        _loop = loop;
        _frame = frame;
    }

    public static Task<T> Start(EventLoop loop, CoroutineFrame<T> frame, CancellationToken cancellationToken)
    {
        var runner = new ThreadSafeRunner<T>(loop, frame);
        loop.CallSoonThreadSafe(static s => ((ThreadSafeRunner<T>)s!).StartOnLoop(), runner);
        if (cancellationToken.CanBeCanceled)
        {
            runner._registration = cancellationToken.UnsafeRegister(static s =>
            {
                var r = (ThreadSafeRunner<T>)s!;
                r._loop.TryPost(static x => ((ThreadSafeRunner<T>)x!).CancelOnLoop(), r);
            }, runner);
        }

        return runner._completion.Task;
    }

    private void StartOnLoop()
    {
        try
        {
            _loop.StartFrameAsTask(_frame, name: null, eager: false);
            _frame.AddInternalCallback(static s => ((ThreadSafeRunner<T>)s!).Finish(), this);
        }
        catch (Exception e)
        {
            _completion.TrySetException(e);
            _loop.CallExceptionHandler(new LoopExceptionContext("Exception while starting a coroutine for RunCoroutineThreadSafe") { Exception = e });
        }
    }

    private void CancelOnLoop()
    {
        if (!_frame.IsDone)
        {
            _frame.Cancel("cancelled through the CancellationToken given to RunCoroutineThreadSafe");
        }
    }

    private void Finish()
    {
        _registration.Dispose();
        _frame._flags |= FutureFlags.Retrieved;
        if (_frame.IsCancelled)
        {
            _completion.TrySetCanceled();
        }
        else if (_frame.IsFaulted)
        {
            _completion.TrySetException((Exception)_frame._outcome!);
        }
        else
        {
            _completion.TrySetResult(_frame._result);
        }
    }
}
