namespace Asyncio;

/// <summary>Runs a coroutine on a loop for another thread and mirrors its outcome into a <see cref="Task{TResult}"/>.</summary>
internal sealed class ThreadSafeRunner<T>
{
    private readonly EventLoop _loop;
    private readonly CoroutineFrame<T> _frame;
    private readonly TaskCompletionSource<T> _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private CancellationTokenRegistration _registration;

    /// <summary>
    /// Submitted by ToThread work of the same loop, which now waits for this coroutine: while it runs, that work must not
    /// hold virtual time back (the coroutine may sleep), or neither could ever finish. The hold is released on the loop
    /// thread when the coroutine starts, never from the worker: released any earlier, a loop that had not yet posted
    /// this start would see nothing left to wait for and report a deadlock. Released, the work still counts in
    /// <see cref="EventLoop._threadsAwaitingCoroutines"/>: it may not be waiting yet, so the loop must not call an idle
    /// moment a deadlock, only let time jump after a grace.
    /// </summary>
    private readonly bool _releaseTimeHold;

    /// <summary>The hold was released when the coroutine started and is restored when it finishes. Loop thread only.</summary>
    private bool _releasedTimeHold;

    private ThreadSafeRunner(EventLoop loop, CoroutineFrame<T> frame, bool releaseTimeHold)
    {
        _loop = loop;
        _frame = frame;
        _releaseTimeHold = releaseTimeHold;
    }

    public static Task<T> Start(EventLoop loop, CoroutineFrame<T> frame, CancellationToken cancellationToken)
    {
        var runner = new ThreadSafeRunner<T>(loop, frame, releaseTimeHold: ReferenceEquals(EventLoop.t_offLoopWorkFor, loop));
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
        if (_releaseTimeHold)
        {
            _releasedTimeHold = true;
            _loop._threadsAwaitingCoroutines++;
            _loop.EndOffLoopWork();
        }

        try
        {
            _loop.StartFrameAsTask(_frame, name: null, eager: false);
            _frame.AddInternalCallback(static s => ((ThreadSafeRunner<T>)s!).Finish(), this);
        }
        catch (Exception e)
        {
            RestoreTimeHold();
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

    private void RestoreTimeHold()
    {
        if (_releasedTimeHold)
        {
            _releasedTimeHold = false;
            _loop._threadsAwaitingCoroutines--;
            _loop.BeginOffLoopWork();   // before the waiting worker can see the outcome and go on
        }
    }

    private void Finish()
    {
        RestoreTimeHold();
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
