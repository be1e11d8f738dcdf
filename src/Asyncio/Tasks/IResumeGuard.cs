namespace Asyncio;

/// <summary>
/// The re-check of a waiter that parks its task directly in a <see cref="WaitQueue"/> (no coroutine frame of its own)
/// and must wait again when the condition it was woken for no longer holds when it runs, as asyncio's
/// <c>while self.full(): await putter</c>. The task's step asks it before resuming the coroutine.
/// </summary>
internal interface IResumeGuard
{
    /// <summary>
    /// Called when <paramref name="task"/>, woken from the guard's wait queue without an error or a cancel, is about to
    /// run. Returns true after parking it again at the tail (the condition still fails and nothing ends the wait);
    /// false lets it resume, and its awaiter re-checks and finishes.
    /// </summary>
    bool TryRepark(AioTask task, CancellationToken token);
}
