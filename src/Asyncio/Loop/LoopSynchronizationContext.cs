namespace Asyncio;

/// <summary>
/// The <see cref="SynchronizationContext"/> current while a loop runs: continuations of plain .NET async code
/// (<c>async Task</c> methods, <c>Task.Yield()</c>, third-party libraries) that captured it are queued on the loop.
/// </summary>
internal class LoopSynchronizationContext : SynchronizationContext
{
    protected readonly EventLoop Loop;

    public LoopSynchronizationContext(EventLoop loop) => Loop = loop;

    public override void Post(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (Loop.IsClosed)
        {
            ReportDropped(d);
            return;
        }

        Loop.Post(static s => ((PostedCallback)s!).Run(), new PostedCallback(this, d, state));
    }

    public override void Send(SendOrPostCallback d, object? state)
    {
        ArgumentNullException.ThrowIfNull(d);
        if (EventLoop.Current == Loop)
        {
            d(state);
            return;
        }

        if (!Loop.IsRunning)
        {
            throw new InvalidOperationException(
                "SynchronizationContext.Send targets an event loop that is not running, so the call would wait forever. Run the loop first, or use Post.");
        }

        using var done = new ManualResetEventSlim();
        Exception? error = null;
        Loop.Post(_ =>
        {
            try
            {
                d(state);
            }
            catch (Exception e)
            {
                error = e;
            }
            finally
            {
                done.Set();
            }
        }, null);
        done.Wait();
        if (error is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Throw(error);
        }
    }

    public override SynchronizationContext CreateCopy() => this;

    /// <summary>Runs a posted continuation; a task context runs it as part of its task.</summary>
    protected virtual void Invoke(SendOrPostCallback d, object? state) => d(state);

    private void ReportDropped(SendOrPostCallback d)
    {
        // Throwing here would tear down the thread that completed the awaited work; the loop that should run the
        // continuation is gone, so say so loudly instead.
        Loop.DefaultExceptionHandler(new LoopExceptionContext(
            $"A continuation ({EventLoop.DescribeDelegate(d)}) was posted to a closed event loop and cannot run. " +
            "Await all work before the loop closes (Aio.Run waits for its tasks; cancel or await the rest)."));
    }

    private sealed class PostedCallback(LoopSynchronizationContext owner, SendOrPostCallback callback, object? state)
    {
        public void Run()
        {
            SynchronizationContext? saved = SynchronizationContext.Current;
            if (!ReferenceEquals(saved, owner))
            {
                SynchronizationContext.SetSynchronizationContext(owner);
            }

            try
            {
                owner.Invoke(callback, state);
            }
            finally
            {
                if (!ReferenceEquals(saved, owner))
                {
                    SynchronizationContext.SetSynchronizationContext(saved);
                }
            }
        }
    }
}

/// <summary>
/// The context of a task made from a <c>Func&lt;Task&gt;</c>: continuations of its code run as part of that task,
/// so <see cref="Aio.CurrentTask"/> names it after every await.
/// </summary>
internal sealed class TaskSynchronizationContext(EventLoop loop, AioTask task) : LoopSynchronizationContext(loop)
{
    protected override void Invoke(SendOrPostCallback d, object? state)
    {
        AioTask? previous = Loop._currentTask;
        Loop._currentTask = task;
        try
        {
            d(state);
        }
        finally
        {
            Loop._currentTask = previous;
        }
    }
}
