namespace Asyncio;

/// <summary>
/// The owner of a <see cref="WaitQueue"/> woken with <see cref="WaitQueue.WakeOneChecked"/>: says, right before the
/// woken waiter would resume, whether what it waited for is still there. Loop thread only.
/// </summary>
/// <remarks>
/// For a queue with at most one waiter at a time (a stream reader's): a failed check leaves the waiter parked where it
/// was. Queues with many waiters that must re-queue at the tail, as asyncio's <c>while full(): await putter</c> does,
/// use <see cref="IResumeGuard"/>, asked by the task's step instead.
/// </remarks>
internal interface IResumeCondition
{
    /// <summary>True if the longest-waiting waiter may resume now; false keeps it parked.</summary>
    bool CanResume { get; }
}
