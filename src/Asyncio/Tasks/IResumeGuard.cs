namespace Asyncio;

/// <summary>
/// The re-check of a waiter that parks its task directly in a <see cref="WaitQueue"/> (no coroutine frame of its own)
/// and must wait again when the condition it was woken for no longer holds when it runs, as asyncio's
/// <c>while self.full(): await putter</c>. The task's step asks it before resuming the coroutine.
/// </summary>
/// <remarks>
/// A waiter that fails the check goes to the tail, behind the others (asyncio's order for queues). A queue whose
/// single waiter should simply stay parked checks at wake-up time instead, with <see cref="IResumeCondition"/>.
/// </remarks>
internal interface IResumeGuard
{
    /// <summary>
    /// Called when <paramref name="task"/>, woken from the guard's wait queue without an error or a cancel, is about to
    /// run. Returns true after parking it again at the tail (the condition still fails and nothing ends the wait);
    /// false lets it resume, and its awaiter re-checks and finishes.
    /// </summary>
    bool TryRepark(AioTask task, CancellationToken token);
}
