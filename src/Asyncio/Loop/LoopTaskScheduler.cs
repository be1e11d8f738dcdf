namespace Asyncio;

/// <summary>
/// A <see cref="TaskScheduler"/> that runs tasks on a loop's thread, one at a time, in FIFO order with the loop's
/// other callbacks. <c>Task.Factory.StartNew(..., loop.TaskScheduler)</c> runs work on the loop.
/// </summary>
internal sealed class LoopTaskScheduler(EventLoop loop) : TaskScheduler
{
    public override int MaximumConcurrencyLevel => 1;

    protected override void QueueTask(Task task)
    {
        if (loop.IsClosed)
        {
            throw new InvalidOperationException("A task was queued to the TaskScheduler of a closed event loop. Queue work before the loop closes.");
        }

        loop.Post(s => TryExecuteTask((Task)s!), task);
    }

    protected override bool TryExecuteTaskInline(Task task, bool taskWasPreviouslyQueued) =>
        !taskWasPreviouslyQueued && EventLoop.Current == loop && TryExecuteTask(task);

    protected override IEnumerable<Task>? GetScheduledTasks() => null;
}
